package dev.neep.gpu.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Coverage-guided fuzzing of {@link Command#decode} with Jazzer (profile {@code fuzz}): guest
 * bytes of any length and content never make it throw. A failure leaves the position where
 * it was; a success moves it past exactly the command's fixed part, and what it decoded
 * encodes to bytes that decode to the same request.
 */
class CommandDecodeFuzzTarget {

    @FuzzTest(maxDuration = "60s")
    void decodeTakesAnyBytes(byte[] guest) {
        ByteBuffer src = ByteBuffer.wrap(guest).order(ByteOrder.LITTLE_ENDIAN);
        Decoded<Request> decoded = Command.decode(src);
        if (!decoded.isOk()) {
            check(src.position() == 0, "a failed decode moved the position to " + src.position());
            check(decoded.error().message() != null, "a failed decode without a message");
            return;
        }
        Request request = decoded.value();
        int type = request.hdr().type();
        int fixed = Command.of(type).orElseThrow().requestSize();
        check(src.position() == fixed, CtrlType.name(type) + ": position " + src.position()
                + " after decoding, fixed size " + fixed);
        ByteBuffer again = ByteBuffer.allocate(fixed).order(ByteOrder.LITTLE_ENDIAN);
        request.encode(again);
        check(!again.hasRemaining(), CtrlType.name(type) + ": encoded " + again.position() + " bytes");
        Decoded<Request> redecoded = Command.decode(again.flip());
        check(redecoded.isOk() && redecoded.value().equals(request),
                CtrlType.name(type) + ": " + request + " encodes to what decodes as " + redecoded);
    }

    private static void check(boolean ok, String rule) {
        if (!ok) {
            throw new AssertionError(rule);
        }
    }
}
