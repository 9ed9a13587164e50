package dev.skiff.api.selector;

import dev.skiff.api.selector.LabelRequirement.Operator;
import dev.skiff.api.validation.NameValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The label selector grammar of Kubernetes: a lexer of identifiers and the symbols {@code ! = == !=
 * ( ) , < >} (whitespace separates tokens), and a recursive-descent parser whose error texts are
 * Kubernetes' own.
 */
final class LabelSelectorParser {
  private enum Tok {
    ERROR,
    EOS,
    CLOSED_PAR,
    COMMA,
    DOES_NOT_EXIST,
    DOUBLE_EQUALS,
    EQUALS,
    GREATER_THAN,
    IDENTIFIER,
    IN,
    LESS_THAN,
    NOT_EQUALS,
    NOT_IN,
    OPEN_PAR
  }

  private record Token(Tok tok, String literal) {}

  private static final String BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

  private final List<Token> tokens = new ArrayList<>();
  private int position;

  LabelSelectorParser(String selector) {
    lex(selector);
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static boolean isSpecial(char c) {
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
  }

  private static Tok symbol(String s) {
    return switch (s) {
      case ")" -> Tok.CLOSED_PAR;
      case "," -> Tok.COMMA;
      case "!" -> Tok.DOES_NOT_EXIST;
      case "==" -> Tok.DOUBLE_EQUALS;
      case "=" -> Tok.EQUALS;
      case ">" -> Tok.GREATER_THAN;
      case "<" -> Tok.LESS_THAN;
      case "!=" -> Tok.NOT_EQUALS;
      case "(" -> Tok.OPEN_PAR;
      case "in" -> Tok.IN;
      case "notin" -> Tok.NOT_IN;
      default -> null;
    };
  }

  private void lex(String s) {
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        tokens.add(new Token(Tok.EOS, ""));
        return;
      }
      char c = s.charAt(i);
      if (isSpecial(c)) {
        // the longest run of symbol characters that still forms a token
        StringBuilder buffer = new StringBuilder();
        Token last = null;
        while (i < n && isSpecial(s.charAt(i))) {
          buffer.append(s.charAt(i));
          Tok t = symbol(buffer.toString());
          if (t != null) {
            last = new Token(t, buffer.toString());
            i++;
          } else if (last != null) {
            break;
          } else {
            i++;
          }
        }
        if (last == null) {
          tokens.add(new Token(Tok.ERROR, "error expected: keyword found '" + buffer + "'"));
          tokens.add(new Token(Tok.EOS, ""));
          return;
        }
        tokens.add(last);
      } else {
        int start = i;
        while (i < n && !isSpecial(s.charAt(i)) && !isWhitespace(s.charAt(i))) {
          i++;
        }
        String word = s.substring(start, i);
        Tok t = symbol(word);
        tokens.add(new Token(t == Tok.IN || t == Tok.NOT_IN ? t : Tok.IDENTIFIER, word));
      }
    }
  }

  /** In a values context the keywords "in" and "notin" are plain identifiers. */
  private Token lookahead() {
    return asValue(tokens.get(position));
  }

  private Token consume() {
    Token t = tokens.get(position);
    if (position < tokens.size() - 1) {
      position++;
    }
    return asValue(t);
  }

  private Token consumeOperator() {
    Token t = tokens.get(position);
    if (position < tokens.size() - 1) {
      position++;
    }
    return t;
  }

  private static Token asValue(Token t) {
    return t.tok() == Tok.IN || t.tok() == Tok.NOT_IN ? new Token(Tok.IDENTIFIER, t.literal()) : t;
  }

  List<LabelRequirement> parse() {
    List<LabelRequirement> requirements = new ArrayList<>();
    while (true) {
      Token t = lookahead();
      switch (t.tok()) {
        case IDENTIFIER, DOES_NOT_EXIST -> {
          LabelRequirement r;
          try {
            r = parseRequirement();
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unable to parse requirement: " + e.getMessage(), e);
          }
          requirements.add(r);
          Token next = consume();
          switch (next.tok()) {
            case EOS -> {
              return requirements;
            }
            case COMMA -> {
              Token after = lookahead();
              if (after.tok() != Tok.IDENTIFIER && after.tok() != Tok.DOES_NOT_EXIST) {
                throw new IllegalArgumentException(
                    "found '" + after.literal() + "', expected: identifier after ','");
              }
            }
            default ->
                throw new IllegalArgumentException(
                    "found '" + next.literal() + "', expected: ',' or 'end of string'");
          }
        }
        case EOS -> {
          return requirements;
        }
        default ->
            throw new IllegalArgumentException(
                "found '" + t.literal() + "', expected: !, identifier, or 'end of string'");
      }
    }
  }

  private LabelRequirement parseRequirement() {
    Operator operator = null;
    Token t = consume();
    if (t.tok() == Tok.DOES_NOT_EXIST) {
      operator = Operator.DOES_NOT_EXIST;
      t = consume();
    }
    if (t.tok() != Tok.IDENTIFIER) {
      throw new IllegalArgumentException("found '" + t.literal() + "', expected: identifier");
    }
    String key = t.literal();
    List<String> keyErrors = NameValidation.isQualifiedName(key);
    if (!keyErrors.isEmpty()) {
      throw new IllegalArgumentException(
          "<nil>: Invalid value: "
              + LabelSelector.quote(key)
              + ": "
              + String.join("; ", keyErrors));
    }
    Tok next = lookahead().tok();
    if (next == Tok.EOS || next == Tok.COMMA) {
      if (operator == null) {
        operator = Operator.EXISTS;
      }
    }
    if (operator == Operator.EXISTS || operator == Operator.DOES_NOT_EXIST) {
      return LabelSelector.requirement(key, operator, List.of());
    }
    Token opToken = consumeOperator();
    operator =
        switch (opToken.tok()) {
          case IN -> Operator.IN;
          case EQUALS -> Operator.EQUALS;
          case DOUBLE_EQUALS -> Operator.DOUBLE_EQUALS;
          case GREATER_THAN -> Operator.GREATER_THAN;
          case LESS_THAN -> Operator.LESS_THAN;
          case NOT_IN -> Operator.NOT_IN;
          case NOT_EQUALS -> Operator.NOT_EQUALS;
          default ->
              throw new IllegalArgumentException(
                  "found '" + opToken.literal() + "', expected: " + BINARY_OPERATORS);
        };
    Set<String> values =
        operator == Operator.IN || operator == Operator.NOT_IN ? parseValues() : parseExactValue();
    return LabelSelector.requirement(key, operator, new ArrayList<>(values));
  }

  private Set<String> parseValues() {
    Token t = consume();
    if (t.tok() != Tok.OPEN_PAR) {
      throw new IllegalArgumentException("found '" + t.literal() + "' expected: '('");
    }
    Token next = lookahead();
    switch (next.tok()) {
      case IDENTIFIER, COMMA -> {
        Set<String> s = parseIdentifiersList();
        if (consume().tok() != Tok.CLOSED_PAR) {
          throw new IllegalArgumentException("found '" + next.literal() + "', expected: ')'");
        }
        return s;
      }
      case CLOSED_PAR -> {
        consume();
        return new TreeSet<>(Set.of(""));
      }
      default ->
          throw new IllegalArgumentException(
              "found '" + next.literal() + "', expected: ',', ')' or identifier");
    }
  }

  private Set<String> parseIdentifiersList() {
    Set<String> s = new TreeSet<>();
    while (true) {
      Token t = consume();
      switch (t.tok()) {
        case IDENTIFIER -> {
          s.add(t.literal());
          Token next = lookahead();
          switch (next.tok()) {
            case COMMA -> {}
            case CLOSED_PAR -> {
              return s;
            }
            default ->
                throw new IllegalArgumentException(
                    "found '" + next.literal() + "', expected: ',' or ')'");
          }
        }
        case COMMA -> {
          if (s.isEmpty()) {
            s.add("");
          }
          Token next = lookahead();
          if (next.tok() == Tok.CLOSED_PAR) {
            s.add("");
            return s;
          }
          if (next.tok() == Tok.COMMA) {
            consume();
            s.add("");
          }
        }
        default ->
            throw new IllegalArgumentException(
                "found '" + t.literal() + "', expected: ',', or identifier");
      }
    }
  }

  private Set<String> parseExactValue() {
    Token next = lookahead();
    if (next.tok() == Tok.EOS || next.tok() == Tok.COMMA) {
      return Set.of("");
    }
    Token t = consume();
    if (t.tok() == Tok.IDENTIFIER) {
      return Set.of(t.literal());
    }
    throw new IllegalArgumentException("found '" + t.literal() + "', expected: identifier");
  }
}
