package dev.neep.gpu.device.internal;

import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.FrontEndDisplays;
import dev.neep.gpu.protocol.CtrlType;
import dev.neep.gpu.protocol.DisplayOne;
import dev.neep.gpu.protocol.RespDisplayInfo;
import dev.neep.gpu.protocol.RespEdid;
import dev.neep.virtio.OnceLog;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The front end's say in the geometry, as QEMU's C back end gives it to its front end: with a
 * {@link FrontEndDisplays}, GET_DISPLAY_INFO and GET_EDID are asked of it, each answer is
 * checked (everything the front end says is checked before it is used, like what the guest
 * says) and its modes become the outputs' modes; a failed, invalid or late answer puts the
 * outputs back at the configured mode, logged once per cause. Without one, nothing is asked.
 *
 * <p>Confined to the device thread; the answers arrive there through {@link Later}.
 */
final class FrontEndModes {
    private final OnceLog log;
    private final Scanouts scanouts;
    private FrontEndDisplays frontEnd;

    FrontEndModes(OnceLog log, Scanouts scanouts) {
        this.log = log;
        this.scanouts = scanouts;
    }

    /** {@code displays} answers from now on (null: none); the outputs start over at the configured mode. */
    void use(FrontEndDisplays displays) {
        frontEnd = displays;
        scanouts.resetModes();
    }

    boolean present() {
        return frontEnd != null;
    }

    /** GET_DISPLAY_INFO, asked of the front end; {@code fromModes} answers once its modes are the outputs'. */
    Later displayInfo(Supplier<Reply> fromModes) {
        CompletionStage<RespDisplayInfo> asked = ask(frontEnd::displayInfo);
        return new Asked<>(asked, (info, failure) -> {
            String problem = failure != null ? message(failure) : apply(info);
            if (problem != null) {
                scanouts.resetModes();
                log.host("front end GET_DISPLAY_INFO", problem + "; the guest gets the configured modes", failure);
            }
            return fromModes.get();
        }, millis -> {
            scanouts.resetModes();
            log.host("front end GET_DISPLAY_INFO: no answer", "no answer within " + millis
                    + " ms; the guest gets the configured modes", null);
            return fromModes.get();
        });
    }

    /** GET_EDID of {@code scanout} (in range), asked of the front end; {@code fromMode} describes the mode instead. */
    Later edid(int scanout, Supplier<Reply> fromMode) {
        CompletionStage<Optional<RespEdid>> asked = ask(() -> frontEnd.edid(scanout));
        return new Asked<>(asked, (answer, failure) -> {
            if (failure == null && answer != null && answer.isEmpty()) {
                return fromMode.get(); // this front end gives no EDIDs
            }
            String problem = failure != null ? message(failure)
                    : answer == null ? "answered null" : check(answer.get());
            if (problem != null) {
                log.host("front end GET_EDID", problem + "; the guest gets an EDID of the output's mode", failure);
                return fromMode.get();
            }
            byte[] blob = answer.get().blob();
            return Reply.with(CtrlType.RESP_OK_EDID, hdr -> RespEdid.of(hdr, blob));
        }, millis -> {
            log.host("front end GET_EDID: no answer", "no answer within " + millis
                    + " ms; the guest gets an EDID of the output's mode", null);
            return fromMode.get();
        });
    }

    /** Checks the front end's display info whole, then makes its modes the outputs'; else says what is wrong. */
    private String apply(RespDisplayInfo info) {
        if (info == null) {
            return "answered null";
        }
        if (info.hdr().type() != CtrlType.RESP_OK_DISPLAY_INFO) {
            return "answered " + CtrlType.name(info.hdr().type());
        }
        List<DisplayOne> modes = info.pmodes();
        for (int i = 0; i < scanouts.count(); i++) {
            DisplayOne m = modes.get(i);
            if (m.isEnabled() && (!inRange(m.r().width()) || !inRange(m.r().height()))) {
                return "output " + i + " is " + Integer.toUnsignedString(m.r().width()) + "x"
                        + Integer.toUnsignedString(m.r().height()) + ", outside " + DeviceConfig.MIN_RESOLUTION
                        + ".." + Edid.MAX_ACTIVE;
            }
        }
        for (int i = 0; i < scanouts.count(); i++) {
            DisplayOne m = modes.get(i);
            scanouts.setMode(i, m.isEnabled() ? m.r().width() : 0, m.isEnabled() ? m.r().height() : 0);
        }
        for (int i = scanouts.count(); i < modes.size(); i++) {
            if (modes.get(i).isEnabled()) {
                log.host("front end output beyond max_outputs", "the front end shows output " + i + ", the device has "
                        + scanouts.count() + " (max_outputs): set the same number of outputs in both", null);
            }
        }
        return null;
    }

    private static boolean inRange(int size) {
        return size >= DeviceConfig.MIN_RESOLUTION && size <= Edid.MAX_ACTIVE;
    }

    /** An EDID is whole 128-byte blocks, at least one, at most what virtio_gpu_resp_edid holds. */
    private static String check(RespEdid edid) {
        if (edid.hdr().type() != CtrlType.RESP_OK_EDID) {
            return "answered " + CtrlType.name(edid.hdr().type());
        }
        int size = edid.size();
        if (size < Edid.SIZE || size > RespEdid.EDID_CAPACITY || size % Edid.SIZE != 0) {
            return "EDID size " + Integer.toUnsignedString(size) + " is not 1 to 8 blocks of " + Edid.SIZE + " bytes";
        }
        return null;
    }

    /** The front end's stage, or a failed one when asking threw or gave none. */
    private static <T> CompletionStage<T> ask(Supplier<CompletionStage<T>> question) {
        try {
            CompletionStage<T> stage = question.get();
            return stage != null ? stage : CompletableFuture.failedFuture(new IllegalStateException("no answer stage"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String message(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return "the front end could not answer (" + cause + ")";
    }

    /** A question asked; {@link #answer} and {@link #timedOut} run on the device thread. */
    private static final class Asked<T> implements Later {
        private final CompletionStage<T> asked;
        private final BiFunction<T, Throwable, Reply> answer;
        private final LongFunction<Reply> timedOut;
        private volatile T value;
        private volatile Throwable failure;

        Asked(CompletionStage<T> asked, BiFunction<T, Throwable, Reply> answer, LongFunction<Reply> timedOut) {
            this.asked = asked;
            this.answer = answer;
            this.timedOut = timedOut;
        }

        @Override
        public void whenAnswered(Executor deviceThread, Runnable answered) {
            asked.whenComplete((v, e) -> {
                value = v;
                failure = e;
                deviceThread.execute(answered);
            });
        }

        @Override
        public Reply answer() {
            return answer.apply(value, failure);
        }

        @Override
        public Reply timedOut(long millis) {
            return timedOut.apply(millis);
        }
    }
}
