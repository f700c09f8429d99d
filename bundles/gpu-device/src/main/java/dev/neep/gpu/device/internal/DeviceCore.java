package dev.neep.gpu.device.internal;

import dev.neep.gpu.api.GpuBackend;
import dev.neep.gpu.device.DeviceConfig;
import dev.neep.gpu.device.FrontEndDisplays;
import dev.neep.gpu.device.internal.CommandTable.Trailing;
import dev.neep.gpu.device.internal.Framing.Held;
import dev.neep.gpu.device.internal.Framing.Processed;
import dev.neep.gpu.protocol.Request;
import dev.neep.virtio.ChainReader;
import dev.neep.virtio.ChainWriter;
import dev.neep.virtio.GuestMemory;
import dev.neep.virtio.OnceLog;
import dev.neep.virtio.SharedMemoryRegion;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The device below its queues, wired once: its state (resources and the host-memory
 * account, scanouts, contexts, what the driver negotiated, the bound backend), the handler
 * families bound in the {@link CommandTable}, and the {@link Framing} that brings each
 * command to them. {@link GpuDevice} drives its lifecycle.
 *
 * <p>Confined to the device thread.
 */
final class DeviceCore {
    private DeviceConfig config;
    private final ResourceTable resources;
    private final ContextTable contexts = new ContextTable();
    private final Scanouts scanouts;
    private final VgaPictures vga;
    private final DriverState driver = new DriverState();
    private final BackendSlot backend;
    private final HostVisibleRegion region = new HostVisibleRegion();
    private final ScanoutCommands scanoutCommands;
    private final ResourceCommands resourceCommands;
    private final ContextCommands contextCommands;
    private final FrontEndModes frontEnd;
    private final CommandTable table;
    private final Framing framing;

    /** {@code contextDestroyed} hears of each context CTX_DESTROY removed: its parked fences will never signal. */
    DeviceCore(DeviceConfig config, OnceLog log, SinkHub sinks, IntConsumer contextDestroyed) {
        this.config = config;
        this.resources = new ResourceTable(config.maxHostmem());
        PixelSeqlock seqlock = new PixelSeqlock();
        this.scanouts = new Scanouts(config, resources, sinks, seqlock, log);
        this.vga = new VgaPictures(sinks, seqlock, log);
        this.backend = new BackendSlot(log, seqlock);
        this.frontEnd = new FrontEndModes(log, scanouts);
        Checks checks = new Checks(log, driver, resources, contexts);
        BooleanSupplier headless = backend::headless;
        this.scanoutCommands = new ScanoutCommands(headless, log, resources, scanouts, sinks, backend, checks);
        this.contextCommands = new ContextCommands(resources, contexts, backend, checks, contextDestroyed);
        BlobCommands blobs = new BlobCommands(resources, contexts, backend, checks, region, log);
        this.resourceCommands = new ResourceCommands(resources, scanouts, backend, checks,
                contextCommands::detachEverywhere, blobs::unmapIfMapped);
        this.table = new CommandTable(
                new DisplayCommands(() -> this.config.edid(), log, scanouts, backend, checks, frontEnd),
                resourceCommands,
                blobs,
                scanoutCommands,
                contextCommands,
                new CursorCommands(headless, log, resources, scanouts, sinks, backend, checks));
        this.framing = new Framing(log, table, backend, checks, contexts);
    }

    /**
     * Works with {@code next} from now on; the caller has dropped all state first. A new shape
     * (outputs or preferred mode) starts every output over at the configured mode; otherwise
     * modes a front end set are kept.
     */
    void reconfigure(DeviceConfig next) {
        config = next;
        resources.limit(next.maxHostmem());
        scanouts.reconfigure(next);
    }

    /** Uses {@code b} from now on (null: none, for {@code reason}); the caller has dropped all state first. */
    void useBackend(GpuBackend b, String reason) {
        backend.use(b, reason);
    }

    /**
     * The guest's memory and the features it acknowledged, from DRIVER_OK until reset; the
     * VGA picture leaves scanout 0 before the driver's first command.
     */
    void activate(GuestMemory guestMemory, long driverFeatures) {
        vga.driverActive();
        driver.activate(guestMemory, driverFeatures);
    }

    /** See {@link DriverState#restrictFeatures}. */
    void restrictFeatures(long offered) {
        driver.restrictFeatures(offered);
    }

    /**
     * The host-visible region the transport provided for the activation to come (null: none).
     * Called after {@link #releaseAll}, so nothing is mapped into the previous one.
     */
    void useRegion(SharedMemoryRegion next) {
        region.use(next);
    }

    void deactivate() {
        driver.deactivate();
        vga.driverGone();
    }

    /** Scanout 0 as virtio-vga shows it while no driver is active. */
    VgaPictures vga() {
        return vga;
    }

    /**
     * Releases everything the guest made, in the backend too, the way QEMU's reset does: the
     * scanouts and cursors (the sinks are told), then each context once its resources are
     * detached from it, then every resource, each unmapped from the host-visible region first;
     * the host memory account is given back. The backend
     * instance stays: a native renderer is built once for the device's life, and some cannot be
     * built twice in one process. A backend call that fails is logged once and the release goes on.
     */
    void releaseAll() {
        scanouts.clear();
        for (int ctx : contexts.ids()) {
            contextCommands.destroy(ctx);
        }
        resourceCommands.releaseAll();
    }

    /** Gives the backend its turn to retire work and report fences. */
    void pollBackend() {
        backend.poll();
    }

    boolean hasBackend() {
        return backend.isBound();
    }

    int capsetCount() {
        return backend.capsets().size();
    }

    int resourceCount() {
        return resources.size();
    }

    int contextCount() {
        return contexts.size();
    }

    long hostmemUsed() {
        return resources.hostmemUsed();
    }

    long regionSize() {
        return region.size();
    }

    long regionUsed() {
        return region.used();
    }

    int regionMappings() {
        return region.count();
    }

    /** See {@link Scanouts#setMode}. */
    boolean setDisplayMode(int output, int width, int height) {
        return scanouts.setMode(output, width, height);
    }

    /** See {@link FrontEndModes#use}. */
    void useFrontEnd(FrontEndDisplays displays) {
        frontEnd.use(displays);
    }

    /** Brings a sink that bound late up to date, through its lane. */
    void replay(SinkCalls sink) {
        vga.replay(sink);
        scanoutCommands.replay(sink);
    }

    /** See {@link Framing#control}. */
    Processed control(ChainReader in, ChainWriter out) {
        return framing.control(in, out);
    }

    /** See {@link Framing#finish}. */
    Processed finish(Held held, Reply reply) {
        return framing.finish(held, reply);
    }

    /** See {@link Framing#cursor}. */
    void cursor(ChainReader in) {
        framing.cursor(in);
    }

    /**
     * Runs one decoded request, as the control queue does once it has framed it: {@code trailing}
     * is what follows the request's fixed part, {@code writable} the room for the answer.
     */
    Reply execute(Request request, ChainReader trailing, long writable) {
        return table.execute(request, new Trailing(trailing, writable));
    }
}
