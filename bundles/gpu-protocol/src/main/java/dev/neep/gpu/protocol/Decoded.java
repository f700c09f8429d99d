package dev.neep.gpu.protocol;

import java.util.Objects;
import java.util.function.Function;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The outcome of decoding guest bytes: a value, or the {@link DecodeError} that explains why
 * there is none. Decoders return this instead of throwing, so a malformed request is an
 * ordinary branch in the device and never an exception escaping into the queue loop.
 */
@ProviderType
public sealed interface Decoded<T> {

    record Ok<T>(T value) implements Decoded<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    record Failed<T>(DecodeError error) implements Decoded<T> {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T> Decoded<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Decoded<T> failed(DecodeError error) {
        return new Failed<>(error);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /**
     * The decoded value.
     *
     * @throws IllegalStateException if this is a failure: check {@link #isOk()} first
     */
    default T value() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new IllegalStateException("no value: " + error().message());
    }

    /**
     * The error.
     *
     * @throws IllegalStateException if decoding succeeded
     */
    default DecodeError error() {
        if (this instanceof Failed<T> failed) {
            return failed.error();
        }
        throw new IllegalStateException("decoded successfully, no error");
    }

    /** Applies {@code f} to a value; passes an error through unchanged. */
    @SuppressWarnings("unchecked")
    default <U> Decoded<U> map(Function<? super T, ? extends U> f) {
        if (this instanceof Ok<T> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        return (Decoded<U>) this;
    }
}
