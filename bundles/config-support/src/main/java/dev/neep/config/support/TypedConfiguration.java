package dev.neep.config.support;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads a configuration dictionary as its typed interface: the {@code @ObjectClassDefinition}
 * annotation type that is also the component property type, with a {@code PID} constant and
 * a default on every attribute. Property names follow the DS mapping of method names
 * ({@code max__outputs} is {@code max_outputs}, {@code cross$_$domain} is {@code cross-domain}).
 *
 * <p>Why not the instance DS itself makes: DS coerces quietly ({@code edid=on} becomes
 * {@code false}, {@code 4294967297} becomes {@code 1}, {@code [1, 2]} becomes {@code 1},
 * {@code 1.5} becomes {@code 1}) and its failures name the value but not the property. This
 * reading is strict, and every value is read at once, so a bad one is refused before the
 * component does anything, as a {@link ConfigurationRefused} naming PID, property and value:
 *
 * <ul>
 *   <li>a property that is absent or blank takes the attribute's default;</li>
 *   <li>text is a string, as given (not trimmed);</li>
 *   <li>{@code int} and {@code long} are whole numbers in range, or strings holding one;</li>
 *   <li>{@code double} is any number, or a string holding one;</li>
 *   <li>{@code boolean} is a Boolean or {@code true}/{@code false}, {@code on}/{@code off},
 *       {@code yes}/{@code no} in any case (QEMU's spellings too);</li>
 *   <li>a single-valued attribute given an array or collection takes its one element, and
 *       refuses more; an array attribute takes a single value as one element;</li>
 *   <li>a property without a dot that the type does not declare is refused, as the typo it
 *       most likely is (dotted ones, {@code service.pid}, {@code backend.target},
 *       {@code felix.fileinstall.filename}, belong to the framework and are let through).</li>
 * </ul>
 */
public final class TypedConfiguration {

    private TypedConfiguration() {
    }

    /** The {@code PID} constant of a configuration type. */
    public static String pid(Class<? extends Annotation> type) {
        try {
            Field f = type.getField("PID");
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                return (String) f.get(null);
            }
        } catch (NoSuchFieldException | IllegalAccessException e) {
            // fall through: the type is not a configuration type
        }
        throw new IllegalArgumentException(type.getName() + " has no String PID constant");
    }

    /**
     * The dictionary {@code properties} (ConfigAdmin's, or a component's properties) as an
     * instance of {@code type}.
     *
     * @throws ConfigurationRefused for the first value that cannot be read
     */
    public static <A extends Annotation> A read(Class<A> type, Map<String, ?> properties) {
        String pid = pid(type);
        Map<String, Object> values = new LinkedHashMap<>();
        TreeSet<String> declared = new TreeSet<>();
        for (Method m : type.getDeclaredMethods()) {
            String property = propertyName(m.getName());
            declared.add(property);
            Object raw = properties.get(property);
            values.put(m.getName(), blank(raw) ? defaultOf(m) : coerce(pid, property, m.getReturnType(), raw));
        }
        for (Map.Entry<String, ?> e : properties.entrySet()) {
            if (e.getKey().indexOf('.') < 0 && !declared.contains(e.getKey())) {
                throw new ConfigurationRefused(pid, e.getKey(), e.getValue(),
                        "is not a property of this configuration; those are " + String.join(", ", declared));
            }
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> "@" + type.getSimpleName() + values;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> copy(values.get(method.getName()));
                }));
    }

    /** The DS property name of an annotation method name (OSGi Compendium 112.8.2.1). */
    static String propertyName(String method) {
        StringBuilder b = new StringBuilder(method.length());
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c == '$') {
                if (method.startsWith("$_$", i)) {
                    b.append('-');
                    i += 2;
                } else if (method.startsWith("$$", i)) {
                    b.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (method.startsWith("__", i)) {
                    b.append('_');
                    i++;
                } else {
                    b.append('.');
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** An array's elements as a list (primitive arrays too). */
    static List<Object> elements(Object array) {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < Array.getLength(array); i++) {
            list.add(Array.get(array, i));
        }
        return list;
    }

    private static boolean blank(Object raw) {
        if (raw == null) {
            return true;
        }
        if (raw instanceof String s) {
            return s.isBlank();
        }
        List<Object> many = many(raw);
        return many != null && many.stream().allMatch(TypedConfiguration::blank);
    }

    private static Object defaultOf(Method m) {
        Object d = m.getDefaultValue();
        if (d == null) {
            throw new IllegalArgumentException(m + " has no default");
        }
        return d;
    }

    /** The elements of an array or collection, or null for a single value. */
    private static List<Object> many(Object raw) {
        if (raw.getClass().isArray()) {
            return elements(raw);
        }
        if (raw instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        return null;
    }

    private static Object coerce(String pid, String property, Class<?> type, Object raw) {
        List<Object> many = many(raw);
        if (type.isArray()) {
            List<Object> in = many == null ? List.of(raw) : many;
            Object out = Array.newInstance(type.getComponentType(), in.size());
            for (int i = 0; i < in.size(); i++) {
                Array.set(out, i, scalar(pid, property, type.getComponentType(), in.get(i), raw));
            }
            return out;
        }
        if (many != null) {
            if (many.size() != 1) {
                throw new ConfigurationRefused(pid, property, raw, "must be a single value");
            }
            return scalar(pid, property, type, many.get(0), raw);
        }
        return scalar(pid, property, type, raw, raw);
    }

    /** {@code v} as {@code type}; a refusal shows {@code given}, the value as it was written. */
    private static Object scalar(String pid, String property, Class<?> type, Object v, Object given) {
        if (type == String.class) {
            if (v instanceof String) {
                return v;
            }
            throw new ConfigurationRefused(pid, property, given, "is not text (" + v.getClass().getSimpleName() + ")");
        }
        if (type == int.class || type == long.class) {
            long n = wholeNumber(pid, property, v, given);
            if (type == int.class && (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE)) {
                throw new ConfigurationRefused(pid, property, given, "is out of range");
            }
            return type == int.class ? (Object) (int) n : (Object) n;
        }
        if (type == double.class) {
            if (v instanceof Number number) {
                return number.doubleValue();
            }
            if (v instanceof String s) {
                try {
                    return Double.parseDouble(s.trim());
                } catch (NumberFormatException e) {
                    // refused below
                }
            }
            throw new ConfigurationRefused(pid, property, given, "is not a number");
        }
        if (type == boolean.class) {
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof String s) {
                switch (s.trim().toLowerCase(Locale.ROOT)) {
                    case "true", "on", "yes":
                        return true;
                    case "false", "off", "no":
                        return false;
                    default:
                        break;
                }
            }
            throw new ConfigurationRefused(pid, property, given, "is not a boolean (true or false, on or off)");
        }
        throw new IllegalArgumentException("attribute " + property + " of " + pid + ": type " + type.getName()
                + " is not one a configuration may have (String, int, long, double, boolean, or an array of one)");
    }

    private static long wholeNumber(String pid, String property, Object v, Object given) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new ConfigurationRefused(pid, property, given, "is not a whole number");
    }

    private static Object copy(Object value) {
        if (value != null && value.getClass().isArray()) {
            int n = Array.getLength(value);
            Object out = Array.newInstance(value.getClass().getComponentType(), n);
            System.arraycopy(value, 0, out, 0, n);
            return out;
        }
        return value;
    }
}
