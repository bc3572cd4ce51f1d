package io.drover.testing.glue;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectClasspathResource;
import org.junit.platform.suite.api.Suite;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PUBLISH_QUIET_PROPERTY_NAME;

/** Notes the settings a scenario sees; run by tests through the JUnit Platform launcher, not on its own. */
@Suite
@IncludeEngines("cucumber")
@SelectClasspathResource("io/drover/config/note-settings.feature")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "io.drover.steps, io.drover.testing.glue")
@ConfigurationParameter(key = PLUGIN_PUBLISH_QUIET_PROPERTY_NAME, value = "true")
public class NoteSettingsSuite {
}
