package dev.skiff.apiserver.admission.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL environment of ValidatingAdmissionPolicy expressions: the variables {@code object},
 * {@code oldObject}, {@code request}, {@code namespaceObject}, {@code params} with a paramKind (all
 * dynamically typed, as Kubernetes objects are here JSON, not typed by OpenAPI schemas) and, except
 * in matchConditions, {@code variables}; the standard macros and the strings, sets, math, encoders,
 * bindings and optional extensions, and Kubernetes' quantity, lists and regex libraries ({@link
 * KubernetesCelLibrary}). Kubernetes' url, ip, cidr, format and authorizer libraries are not
 * declared.
 */
final class PolicyCel {
  static final String OBJECT = "object";
  static final String OLD_OBJECT = "oldObject";
  static final String REQUEST = "request";
  static final String PARAMS = "params";
  static final String NAMESPACE_OBJECT = "namespaceObject";
  static final String VARIABLES = "variables";

  private static final Pattern POSITION = Pattern.compile("^evaluation error at <input>:\\d+: ");
  private static final Pattern MISSING_KEY =
      Pattern.compile("^key '(.*)' is not present in map\\.$");

  /** Indexed by (params ? 2 : 0) + (variables ? 1 : 0). */
  private static final PolicyCel[] ENVIRONMENTS = {
    new PolicyCel(false, false),
    new PolicyCel(false, true),
    new PolicyCel(true, false),
    new PolicyCel(true, true)
  };

  private final Cel cel;

  private PolicyCel(boolean params, boolean variables) {
    CelOptions options =
        CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableOptionalSyntax(true)
            .build();
    var builder =
        CelFactory.standardCelBuilder()
            .setOptions(options)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar(OBJECT, SimpleType.DYN)
            .addVar(OLD_OBJECT, SimpleType.DYN)
            .addVar(REQUEST, SimpleType.DYN)
            .addVar(NAMESPACE_OBJECT, SimpleType.DYN)
            .addFunctionDeclarations(KubernetesCelLibrary.declarations())
            .addFunctionBindings(KubernetesCelLibrary.bindings())
            .addCompilerLibraries(
                CelExtensions.strings(),
                CelExtensions.sets(options),
                CelExtensions.math(options),
                CelExtensions.encoders(options),
                CelExtensions.bindings(),
                CelExtensions.optional())
            .addRuntimeLibraries(
                CelExtensions.strings(),
                CelExtensions.sets(options),
                CelExtensions.math(options),
                CelExtensions.encoders(options),
                CelExtensions.optional());
    if (params) {
      builder.addVar(PARAMS, SimpleType.DYN);
    }
    if (variables) {
      builder.addVar(VARIABLES, MapType.create(SimpleType.STRING, SimpleType.DYN));
    }
    this.cel = builder.build();
  }

  /**
   * The environment of a policy's expressions: {@code params} is declared only when the policy has
   * a paramKind, and {@code variables} everywhere but in matchConditions (which run before
   * variables are available), as Kubernetes declares them.
   */
  static PolicyCel of(boolean params, boolean variables) {
    return ENVIRONMENTS[(params ? 2 : 0) + (variables ? 1 : 0)];
  }

  /** Parses and checks {@code expression}; a failure is kept in the result, never thrown. */
  CompiledExpression compile(String expression) {
    try {
      CelValidationResult result = cel.compile(expression);
      CelRuntime.Program program = cel.createProgram(result.getAst());
      return new CompiledExpression(expression, program, null);
    } catch (CelValidationException e) {
      return new CompiledExpression(expression, null, "compilation failed: " + e.getMessage());
    } catch (CelEvaluationException e) {
      return new CompiledExpression(expression, null, "compilation failed: " + e.getMessage());
    }
  }

  /** One compiled expression, or the reason it did not compile. */
  record CompiledExpression(String expression, CelRuntime.Program program, String compileError) {

    /**
     * Evaluates against {@code activation}; the value, or an error worded as Kubernetes words it
     * ("compilation error: …", "expression '…' resulted in error: …").
     */
    Outcome evaluate(Map<String, ?> activation) {
      if (compileError != null) {
        return Outcome.error("compilation error: " + compileError);
      }
      try {
        return Outcome.of(program.eval(activation));
      } catch (CelEvaluationException | RuntimeException e) {
        return Outcome.error("expression '" + expression + "' resulted in error: " + describe(e));
      }
    }
  }

  /** A value or an error message. */
  record Outcome(Object value, String error) {
    static Outcome of(Object value) {
      return new Outcome(value, null);
    }

    static Outcome error(String message) {
      return new Outcome(null, message);
    }

    boolean failed() {
      return error != null;
    }
  }

  /** cel-java's message without its source position, missing keys as cel-go names them. */
  static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    message = POSITION.matcher(message).replaceFirst("");
    Matcher missing = MISSING_KEY.matcher(message);
    return missing.matches() ? "no such key: " + missing.group(1) : message;
  }
}
