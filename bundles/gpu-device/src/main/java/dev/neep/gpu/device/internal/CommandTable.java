package dev.neep.gpu.device.internal;

import dev.neep.gpu.protocol.Command;
import dev.neep.gpu.protocol.Request;
import dev.neep.virtio.ChainReader;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every command's handler, bound to the command's entry in gpu-protocol's {@link Command}
 * table, which holds its wire facts (type, queue, request size and decoder, answer size). The
 * one place a command meets the code that serves it: a device refuses to start with a command
 * left unbound.
 *
 * <p>Confined to the device thread.
 */
final class CommandTable {

    /** What follows a request's fixed part in its chain: the rest to read, and the room for the answer. */
    record Trailing(ChainReader reader, long writable) {
    }

    @FunctionalInterface
    interface Handler<R extends Request> {
        Reply handle(R request, Trailing trailing);
    }

    private final Map<Command<?>, Handler<?>> handlers = new HashMap<>();

    CommandTable(DisplayCommands display, ResourceCommands resources, BlobCommands blobs, ScanoutCommands scanouts,
            ContextCommands contexts, CursorCommands cursor) {
        on(Command.GET_DISPLAY_INFO, r -> display.getDisplayInfo());
        on(Command.GET_EDID, display::getEdid);
        on(Command.GET_CAPSET_INFO, display::getCapsetInfo);
        on(Command.GET_CAPSET, (r, t) -> display.getCapset(r, t.writable()));

        on(Command.RESOURCE_CREATE_2D, resources::create2d);
        on(Command.RESOURCE_UNREF, resources::unref);
        on(Command.RESOURCE_ATTACH_BACKING, (r, t) -> resources.attachBacking(r, t.reader()));
        on(Command.RESOURCE_DETACH_BACKING, resources::detachBacking);
        on(Command.RESOURCE_ASSIGN_UUID, resources::assignUuid);
        on(Command.TRANSFER_TO_HOST_2D, resources::transferToHost2d);

        on(Command.RESOURCE_CREATE_BLOB, (r, t) -> blobs.createBlob(r, t.reader()));
        on(Command.RESOURCE_MAP_BLOB, blobs::mapBlob);
        on(Command.RESOURCE_UNMAP_BLOB, blobs::unmapBlob);

        on(Command.SET_SCANOUT, scanouts::setScanout);
        on(Command.SET_SCANOUT_BLOB, scanouts::setScanoutBlob);
        on(Command.RESOURCE_FLUSH, scanouts::flush);

        on(Command.CTX_CREATE, contexts::ctxCreate);
        on(Command.CTX_DESTROY, contexts::ctxDestroy);
        on(Command.CTX_ATTACH_RESOURCE, contexts::ctxAttachResource);
        on(Command.CTX_DETACH_RESOURCE, contexts::ctxDetachResource);
        on(Command.RESOURCE_CREATE_3D, contexts::create3d);
        on(Command.TRANSFER_TO_HOST_3D, contexts::transferToHost3d);
        on(Command.TRANSFER_FROM_HOST_3D, contexts::transferFromHost3d);
        on(Command.SUBMIT_3D, (r, t) -> contexts.submit3d(r, t.reader()));

        on(Command.UPDATE_CURSOR, cursor::update);
        on(Command.MOVE_CURSOR, cursor::move);

        for (Command<?> c : Command.all()) {
            if (!handlers.containsKey(c)) {
                throw new IllegalStateException(c + " has no handler");
            }
        }
    }

    private <R extends Request> void on(Command<R> command, Function<R, Reply> handler) {
        on(command, (r, t) -> handler.apply(r));
    }

    private <R extends Request> void on(Command<R> command, Handler<R> handler) {
        if (handlers.put(command, handler) != null) {
            throw new IllegalStateException(command + " has two handlers");
        }
    }

    /** Runs the handler of {@code request}'s command: its checks, the backend, the device's state. */
    Reply execute(Request request, Trailing trailing) {
        int type = request.hdr().type();
        Command<?> command = Command.of(type).orElseThrow(() -> new IllegalArgumentException(
                "no command of type " + Integer.toHexString(type)));
        return run(command, request, trailing);
    }

    // Safe: the decoder of command C yields its struct R, and C's handler was bound as a Handler<R>.
    @SuppressWarnings("unchecked")
    private <R extends Request> Reply run(Command<R> command, Request request, Trailing trailing) {
        return ((Handler<R>) handlers.get(command)).handle((R) request, trailing);
    }
}
