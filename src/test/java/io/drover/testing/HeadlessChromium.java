package io.drover.testing;

import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * Debian's headless Chromium ({@value #BROWSER}) driven through Debian's chromedriver ({@value #DRIVER}) with Selenium. Both
 * paths are given explicitly, so Selenium Manager never looks for, nor downloads, a browser or a driver. Without them the
 * test fails (never skips), saying what to install.
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final String BROWSER = "/usr/bin/chromium";
    public static final String DRIVER = "/usr/bin/chromedriver";

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** Starts the browser with a window of {@code width} × {@code height} CSS pixels. */
    public static HeadlessChromium start(int width, int height) throws IOException {
        for (String program : List.of(BROWSER, DRIVER)) {
            if (!Files.isExecutable(Path.of(program))) {
                throw new AssertionError(program + " is missing: install Debian's headless browser and its driver with "
                        + "'apt-get install chromium chromium-driver' (bash .ci/run installs them)");
            }
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort()
                .withLogOutput(System.err).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER);
        // --no-sandbox: the tests run as root, where Chromium's own sandbox cannot start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--window-size=" + width + "," + height, "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        service.start();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120)).scriptTimeout(Duration.ofSeconds(120));
            return new HeadlessChromium(service, driver);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    /** Opens {@code file} and waits up to {@code timeout} for {@code readyScript} (a JavaScript expression) to be true. */
    public void open(Path file, String readyScript, Duration timeout) throws InterruptedException {
        driver.get(file.toAbsolutePath().toUri().toString());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Boolean.TRUE.equals(script("return Boolean(" + readyScript + ")"))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(file + " did not render within " + timeout.toSeconds() + " s (" + readyScript
                        + " stayed false); browser log: " + severeLog());
            }
            Thread.sleep(50);
        }
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** The browser console's errors (SEVERE entries) since the last call. */
    public List<String> severeLog() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    /** Saves a screenshot of the whole page, beyond the window (at most 16,000 pixels tall). */
    public void screenshot(Path png) throws IOException {
        long width = ((Number) script("return Math.ceil(document.documentElement.scrollWidth)")).longValue();
        long height = ((Number) script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", Math.min(height, 16_000), "scale", 1)));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, java.util.Base64.getDecoder().decode(shot.get("data").toString()));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
