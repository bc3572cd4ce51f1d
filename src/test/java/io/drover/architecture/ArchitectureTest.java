package io.drover.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of docs/architecture.md, enforced: no package cycles; the bottom packages depend on nothing above
 * them; the runner side never reaches into node-side plugins and providers; outside the API packages a type is
 * public only when another package (or a test in another package) uses it, ServiceLoader loads it, or it is a
 * program's main class: Java has nothing between package-private and public, so that is as narrow as it gets.
 */
class ArchitectureTest {
    /** Packages whose public types are the API: the client, the steps, the plugin SPI, the errors, the catalog. */
    static final List<String> API = List.of("io.drover.client", "io.drover.steps", "io.drover.agent.plugin", "io.drover.error",
            "io.drover.catalog");

    /** Types that must be public for a reason other than use: {@code runner.Constants} documents every setting. */
    static final List<String> PUBLIC_BY_DESIGN = List.of("io.drover.runner.Constants");

    private static JavaClasses main;
    /** Main and test classes: a type that tests in another package use may stay public. */
    private static JavaClasses all;
    private static Set<String> services;

    @BeforeAll
    static void importClasses() throws IOException {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages("io.drover");
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages("io.drover");
        // ServiceLoader needs its providers public (and their enclosing types): the plugins, the JUnit listener.
        services = new HashSet<>();
        try (var files = Files.list(Path.of("target/classes/META-INF/services"))) {
            for (Path file : files.toList()) {
                for (String line : Files.readAllLines(file)) {
                    String name = line.strip();
                    if (!name.isEmpty() && !name.startsWith("#")) {
                        services.add(name.contains("$") ? name.substring(0, name.indexOf('$')) : name);
                    }
                }
            }
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.drover.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void theBottomLayersDependOnNothingAboveThem() {
        noClasses().that().resideInAnyPackage("io.drover.error..").should().dependOnClassesThat()
                .resideInAnyPackage(above("io.drover.error")).check(main);
        noClasses().that().resideInAnyPackage("io.drover.protocol..").should().dependOnClassesThat()
                .resideInAnyPackage(above("io.drover.protocol", "io.drover.error")).check(main);
        noClasses().that().resideInAnyPackage("io.drover.filter..").should().dependOnClassesThat()
                .resideInAnyPackage(above("io.drover.filter", "io.drover.protocol", "io.drover.error")).check(main);
        noClasses().that().resideInAnyPackage("io.drover.transport..").should().dependOnClassesThat()
                .resideInAnyPackage(above("io.drover.transport", "io.drover.protocol", "io.drover.error")).check(main);
    }

    @Test
    void theRunnerSideNeverUsesNodeSidePluginsOrProviders() {
        noClasses().that().resideInAnyPackage("io.drover.client..", "io.drover.steps..", "io.drover.runner..", "io.drover.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.drover.agents..")
                .check(main);
    }

    @Test
    void theNodeSideNeverUsesTheRunnerSide() {
        // The slim agent jar leaves the runner side out; a dependency on it would fail only on a real node.
        noClasses().that().resideInAnyPackage("io.drover.agent..", "io.drover.agents..")
                .should().dependOnClassesThat().resideInAnyPackage("io.drover.client..", "io.drover.fleet..", "io.drover.report..",
                        "io.drover.steps..", "io.drover.runner..", "io.drover.cli..", "io.drover.sandbox..")
                .check(main);
    }

    @Test
    void aTypeOutsideTheApiIsPublicOnlyWhenAnotherPackageUsesIt() {
        classes().that().arePublic().and().resideOutsideOfPackages(API.stream().map(p -> p + "..").toArray(String[]::new))
                .and().areTopLevelClasses().and(DescribedPredicate.describe("not public by design or a ServiceLoader provider",
                        type -> !PUBLIC_BY_DESIGN.contains(type.getName()) && !services.contains(type.getName())))
                .should(beUsedFromAnotherPackageOrBeAMain()).check(main);
    }

    private static String[] above(String... allowed) {
        return java.util.stream.Stream.of("io.drover.error", "io.drover.protocol", "io.drover.filter", "io.drover.transport",
                        "io.drover.fleet", "io.drover.client", "io.drover.agent", "io.drover.agents", "io.drover.security",
                        "io.drover.steps", "io.drover.runner", "io.drover.cli", "io.drover.sandbox", "io.drover.catalog")
                .filter(p -> !List.of(allowed).contains(p)).map(p -> p + "..").toArray(String[]::new);
    }

    private static ArchCondition<JavaClass> beUsedFromAnotherPackageOrBeAMain() {
        return new ArchCondition<>("be used from another package (or be a program's main class)") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                boolean main = type.getMethods().stream().anyMatch(m -> m.getName().equals("main")
                        && m.getModifiers().contains(JavaModifier.STATIC));
                boolean used = all.get(type.getName()).getDirectDependenciesToSelf().stream().map(Dependency::getOriginClass)
                        .map(c -> c.getPackageName()).anyMatch(p -> !p.equals(type.getPackageName()));
                if (!main && !used) {
                    events.add(SimpleConditionEvent.violated(type, type.getName() + " is public but no other package uses it: "
                            + "make it package-private"));
                }
            }
        };
    }
}
