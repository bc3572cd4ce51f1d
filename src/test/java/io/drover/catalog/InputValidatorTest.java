package io.drover.catalog;

import io.drover.protocol.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputValidatorTest {
    private static final AtomicInteger CONVERSIONS = new AtomicInteger();

    /** name: required, 1-10 lower-case letters; count: integer; force: boolean; tag: checked on the node; note: free text. */
    private static final ActionSpec ACTION = ActionSpec.named("deploy", "test action")
            .input(InputSpec.string("name").required().maxLength(10).matching("[a-z]+", "web"))
            .input(InputSpec.integer("count"))
            .input(InputSpec.bool("force"))
            .input(InputSpec.string("tag").matching("[a-z0-9]+", "v1"))
            .input(InputSpec.string("note"))
            .build();

    /** A node-side check, as a plugin adds for what only the node knows. */
    private static final Map<String, UnaryOperator<String>> CHECKS = Map.of("tag", text -> {
        CONVERSIONS.incrementAndGet();
        if (!text.startsWith("v")) {
            throw new IllegalArgumentException("a tag starts with v");
        }
        return text.toUpperCase(java.util.Locale.ROOT);
    });

    private static Inputs validate(Map<String, Object> params) throws InvalidInputException {
        return InputValidator.validate("app", ACTION, params, CHECKS);
    }

    private static InvalidInputException refused(Map<String, Object> params) {
        return assertThrows(InvalidInputException.class, () -> validate(params));
    }

    private static Map<String, Object> params(Object... keysAndValues) {
        Map<String, Object> out = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    @Test
    void validParamsAreTypedAndNormalised() throws Exception {
        Inputs inputs = validate(params("name", "web", "count", 5, "force", true, "tag", "v2", "note", "hello world"));
        assertEquals("web", inputs.string("name"));
        assertEquals(5L, inputs.optionalInteger("count"));
        assertEquals(Boolean.TRUE, inputs.optionalBoolean("force"));
        assertEquals("V2", inputs.optionalString("tag"), "the node-side check's result is the value");
        assertEquals(Map.of("name", "web", "count", 5L, "force", true, "tag", "V2", "note", "hello world"), inputs.asMap());
    }

    @Test
    void absentOptionalInputsAreNotInTheResult() throws Exception {
        Inputs inputs = validate(params("name", "web"));
        assertEquals(Map.of("name", "web"), inputs.asMap());
        assertNull(inputs.optionalString("note"));
        assertNull(inputs.optionalInteger("count"));
        assertNull(inputs.optionalBoolean("force"));
        assertThrows(IllegalStateException.class, () -> inputs.string("note"));
        assertThrows(UnsupportedOperationException.class, () -> inputs.asMap().put("x", "y"));
    }

    @Test
    void nullCountsAsAbsent() throws Exception {
        Inputs inputs = validate(params("name", "web", "note", null, "count", null));
        assertEquals(Map.of("name", "web"), inputs.asMap());

        InvalidInputException e = refused(params("name", null));
        assertEquals(Status.MISSING_DATA, e.status());
    }

    @Test
    void unknownInputIsRefusedNamingItAndTheAcceptedOnes() {
        InvalidInputException e = refused(params("name", "web", "colour", "red"));
        assertEquals(Status.INVALID_DATA, e.status());
        assertEquals("Unknown input 'colour' for app.deploy; it takes: name, count, force, tag, note", e.getMessage());
    }

    @Test
    void unknownInputIsRefusedEvenWhenNull() {
        assertEquals(Status.INVALID_DATA, refused(params("name", "web", "colour", null)).status());
    }

    @Test
    void unknownInputNameIsEchoedPrintably() {
        InvalidInputException e = refused(params("name", "web", "evil\nname\u001b[31m", "x"));
        assertTrue(e.getMessage().contains("'evil\\x0aname\\x1b[31m'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void actionWithoutInputsSaysSo() {
        ActionSpec none = ActionSpec.named("ping", "").build();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> InputValidator.validate("rpcutil", none, Map.of("x", 1)));
        assertEquals(Status.INVALID_DATA, e.status());
        assertEquals("Unknown input 'x' for rpcutil.ping; it takes no inputs", e.getMessage());
    }

    @Test
    void missingRequiredInputIsMissingData() {
        InvalidInputException e = refused(params("count", 1));
        assertEquals(Status.MISSING_DATA, e.status());
        assertEquals("Missing required input 'name' for app.deploy; expected something like web", e.getMessage());
    }

    static Stream<Arguments> wrongTypes() {
        return Stream.of(
                Arguments.of("name", 5, "must be a string, got integer 5"),
                Arguments.of("name", true, "must be a string, got boolean true"),
                Arguments.of("name", List.of("web"), "must be a string, got a list"),
                Arguments.of("name", Map.of("a", "b"), "must be a string, got an object"),
                Arguments.of("count", "5", "must be an integer, got the string \"5\""),
                Arguments.of("count", true, "must be an integer"),
                Arguments.of("count", List.of(5), "must be an integer, got a list"),
                Arguments.of("count", Map.of("n", 5), "must be an integer, got an object"),
                Arguments.of("force", "true", "must be true or false, got the string \"true\""),
                Arguments.of("force", 1, "must be true or false, got integer 1"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("wrongTypes")
    void wrongJsonTypeIsInvalidData(String input, Object value, String expected) {
        Map<String, Object> params = params("name", "web");
        params.put(input, value);
        InvalidInputException e = refused(params);
        assertEquals(Status.INVALID_DATA, e.status());
        assertTrue(e.getMessage().startsWith("Input '" + input + "' of app.deploy "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void maxLengthIsCheckedBeforeThePattern() {
        // 11 characters that also fail the pattern: the length is what is reported.
        InvalidInputException e = refused(params("name", "ABCDEFGHIJK"));
        assertEquals(Status.INVALID_DATA, e.status());
        assertEquals("Input 'name' of app.deploy is 11 characters long; at most 10 are allowed", e.getMessage());
    }

    @Test
    void valueOfExactlyMaxLengthIsAccepted() throws Exception {
        assertEquals("abcdefghij", validate(params("name", "abcdefghij")).string("name"));
    }

    @Test
    void defaultMaxLengthOfAStringIs256() throws Exception {
        assertEquals(256, InputSpec.string("x").maxLength());
        assertEquals(256, validate(params("name", "web", "note", "n".repeat(256))).optionalString("note").length());
        assertEquals(Status.INVALID_DATA, refused(params("name", "web", "note", "n".repeat(257))).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"line\nbreak", "nul\0byte", "esc\u001b[2J", "tab\there", "cr\rhere", "del\u007f", "c1\u0085"})
    void controlCharactersAreRefusedEvenWithoutAPattern(String value) {
        InvalidInputException e = refused(params("name", "web", "note", value));
        assertEquals(Status.INVALID_DATA, e.status());
        assertTrue(e.getMessage().contains("contains a control character at position " + value.indexOf(firstControl(value))),
                e.getMessage());
    }

    private static char firstControl(String value) {
        return (char) value.chars().filter(Character::isISOControl).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web1", "1web", "we b", "Web", "web;", ""})
    void patternMustMatchTheWholeValue(String value) {
        InvalidInputException e = refused(params("name", value));
        assertEquals(Status.INVALID_DATA, e.status());
        assertEquals("Input 'name' of app.deploy '" + value + "' is not valid; expected something like web (pattern [a-z]+)",
                e.getMessage());
    }

    @Test
    void nodeCheckErrorBecomesInvalidDataWithItsMessage() {
        InvalidInputException e = refused(params("name", "web", "tag", "x1"));
        assertEquals(Status.INVALID_DATA, e.status());
        assertEquals("Input 'tag' of app.deploy 'x1' is not valid: a tag starts with v", e.getMessage());
    }

    @Test
    void nodeCheckRunsOnlyAfterThePatternMatched() {
        int before = CONVERSIONS.get();
        InvalidInputException e = refused(params("name", "web", "tag", "v1;reboot"));
        assertTrue(e.getMessage().contains("(pattern [a-z0-9]+)"), e.getMessage());
        assertEquals(before, CONVERSIONS.get(), "the node-side check must not see a value that failed the pattern");
    }

    static Stream<Arguments> acceptedIntegers() {
        return Stream.of(
                Arguments.of(5, 5L),
                Arguments.of(-7, -7L),
                Arguments.of((short) 3, 3L),
                Arguments.of(Long.MAX_VALUE, Long.MAX_VALUE),
                Arguments.of(BigInteger.TWO.pow(62), 1L << 62),
                Arguments.of(new BigDecimal("5"), 5L),
                Arguments.of(new BigDecimal("5.0"), 5L),
                Arguments.of(new BigDecimal("5E+2"), 500L),
                Arguments.of(new BigDecimal("0.00"), 0L));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("acceptedIntegers")
    void integerConversions(Object raw, long expected) throws Exception {
        assertEquals(expected, validate(params("name", "web", "count", raw)).optionalInteger("count"));
    }

    static Stream<Object> refusedIntegers() {
        return Stream.of(new BigDecimal("5.5"), 5.5d, new BigDecimal("1E+30"), new BigDecimal("9223372036854775808"),
                BigInteger.TWO.pow(64), BigInteger.TWO.pow(63), new BigDecimal("-1E+19"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("refusedIntegers")
    void nonIntegralOrHugeNumbersAreRefused(Object raw) {
        InvalidInputException e = refused(params("name", "web", "count", raw));
        assertEquals(Status.INVALID_DATA, e.status());
        assertTrue(e.getMessage().contains("must be an integer"), e.getMessage());
    }

    @Test
    void inputDeclarationsAreImmutable() {
        InputSpec base = InputSpec.string("x");
        InputSpec required = base.required();
        assertFalse(base.isRequired());
        assertTrue(required.isRequired());
        InputSpec limited = required.maxLength(5).matching("[a-z]+", "abc");
        assertEquals(256, required.maxLength());
        assertNull(required.pattern());
        assertEquals(5, limited.maxLength());
        assertEquals("abc", limited.example());
        assertEquals(InputType.STRING, limited.type());
    }

    @Test
    void ipAddressInputIsCheckedAndNormalised() {
        ActionSpec block = ActionSpec.named("block", "").input(InputSpec.ipAddress("address").required()).build();
        assertEquals("2001:db8::1", InputValidator.validate("firewall", block, Map.of("address", "2001:DB8:0::1")).string("address"));
        assertEquals("10.0.0.0/8", InputValidator.validate("firewall", block, Map.of("address", "10.1.2.3/8")).string("address"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> InputValidator.validate("firewall", block, Map.of("address", "web1.example.com")));
        assertEquals(Status.INVALID_DATA, e.status());
        assertTrue(e.getMessage().startsWith("Input 'address' of firewall.block 'web1.example.com' is not valid: "), e.getMessage());
        assertTrue(assertThrows(InvalidInputException.class, () -> InputValidator.validate("firewall", block, Map.of("address", 1)))
                .getMessage().endsWith("must be a string, got integer 1"));
        assertEquals(64, block.input("address").maxLength());
    }

    @Test
    void absentInputWithADefaultGetsIt() {
        ActionSpec restart = ActionSpec.named("restart", "")
                .input(InputSpec.integer("delay").defaultingTo(5))
                .input(InputSpec.string("mode").matching("[a-z]+", "soft").defaultingTo("soft"))
                .build();
        assertEquals(Map.of("delay", 5L, "mode", "soft"), InputValidator.validate("app", restart, Map.of()).asMap());
        assertEquals(Map.of("delay", 1L, "mode", "hard"),
                InputValidator.validate("app", restart, Map.of("delay", 1, "mode", "hard")).asMap());
    }

    @Test
    void aDefaultThatIsNotAValidValueIsRefusedWhenDeclared() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputSpec.string("mode").matching("[a-z]+", "soft").defaultingTo("SOFT"));
        assertTrue(e.getMessage().startsWith("Default of input 'mode' is not valid: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InputSpec.integer("delay").defaultingTo("5"));
        assertThrows(IllegalStateException.class, () -> InputSpec.integer("delay").required().defaultingTo(5));
    }
}
