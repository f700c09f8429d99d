package dev.neep.backend.rutabaga.internal;

import dev.neep.testkit.crossdomain.CrossDomainClient;
import dev.neep.testkit.crossdomain.WaylandMessage;
import dev.neep.testkit.crossdomain.WaylandMessage.Args;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few Wayland requests and events the cross-domain tests use (wayland.xml and
 * xdg-shell.xml opcodes), over a {@link CrossDomainClient}: the registry, a wl_shm buffer on a
 * blob resource, and a fullscreen xdg_toplevel showing it.
 */
final class WaylandSession {

    static final int MAX_POLLS = 50;
    /** wl_shm format 1: XRGB8888, B, G, R, X in memory. */
    static final int WL_SHM_FORMAT_XRGB8888 = 1;

    final CrossDomainClient client;
    /** Global name by interface, from wl_registry.global. */
    final Map<String, Integer> globals = new LinkedHashMap<>();
    private int compositor;
    private int shm;
    private int wmBase;

    WaylandSession(CrossDomainClient client) {
        this.client = client;
    }

    /** wl_display.get_registry and a roundtrip: the compositor's globals. */
    Map<String, Integer> registry() {
        int registry = client.newObjectId();
        List<WaylandMessage> events = client.roundtrip(List.of(WaylandMessage.request(CrossDomainClient.WL_DISPLAY, 1,
                new Args().word(registry))), MAX_POLLS);
        for (WaylandMessage m : events) {
            if (m.objectId() == registry && m.opcode() == 0) {
                WaylandMessage.Reader r = m.reader();
                int name = r.word();
                globals.put(r.string(), name);
            }
        }
        compositor = client.newObjectId();
        shm = client.newObjectId();
        wmBase = client.newObjectId();
        client.roundtrip(List.of(bind(registry, "wl_compositor", 4, compositor), bind(registry, "wl_shm", 1, shm),
                bind(registry, "xdg_wm_base", 1, wmBase)), MAX_POLLS);
        return globals;
    }

    private WaylandMessage bind(int registry, String iface, int version, int id) {
        Integer name = globals.get(iface);
        if (name == null) {
            throw new AssertionError("the compositor offers no " + iface + ": " + globals.keySet());
        }
        return WaylandMessage.request(registry, 0, new Args().word(name).newId(iface, version, id));
    }

    /**
     * A fullscreen toplevel, configured and acknowledged: its wl_surface id. The compositor's
     * pings are answered on the way.
     */
    int fullscreenSurface() {
        int surface = client.newObjectId();
        int xdgSurface = client.newObjectId();
        int toplevel = client.newObjectId();
        List<WaylandMessage> requests = List.of(
                WaylandMessage.request(compositor, 0, new Args().word(surface)),
                WaylandMessage.request(wmBase, 2, new Args().word(xdgSurface).word(surface)),
                WaylandMessage.request(xdgSurface, 1, new Args().word(toplevel)),
                WaylandMessage.request(toplevel, 11, new Args().word(0)),
                WaylandMessage.request(surface, 6, new Args()));
        CrossDomainClient.ok(client.send(requests), "xdg_toplevel set up");
        List<WaylandMessage> events = client.receiveUntil(m -> m.objectId() == xdgSurface && m.opcode() == 0,
                MAX_POLLS);
        answerPings(events);
        int serial = events.get(events.size() - 1).reader().word();
        CrossDomainClient.ok(client.send(List.of(WaylandMessage.request(xdgSurface, 4, new Args().word(serial)))),
                "xdg_surface.ack_configure");
        return surface;
    }

    /**
     * wl_shm.create_pool on blob resource {@code blob} (its fd travels as the SEND's identifier),
     * then one buffer over all of it: the wl_buffer id.
     */
    int buffer(int blob, int size, int width, int height, int stride) {
        int pool = client.newObjectId();
        int buffer = client.newObjectId();
        CrossDomainClient.ok(client.send(List.of(WaylandMessage.request(shm, 0, new Args().word(pool).word(size))),
                blob), "wl_shm.create_pool");
        client.roundtrip(List.of(
                WaylandMessage.request(pool, 0, new Args().word(buffer).word(0).word(width).word(height).word(stride)
                        .word(WL_SHM_FORMAT_XRGB8888)),
                WaylandMessage.request(pool, 1, new Args())), MAX_POLLS);
        return buffer;
    }

    /** attach, damage everything, ask for a frame callback, commit; waits until the compositor drew it. */
    void show(int surface, int buffer, int width, int height) {
        int frame = client.newObjectId();
        CrossDomainClient.ok(client.send(List.of(
                WaylandMessage.request(surface, 1, new Args().word(buffer).word(0).word(0)),
                WaylandMessage.request(surface, 2, new Args().word(0).word(0).word(width).word(height)),
                WaylandMessage.request(surface, 3, new Args().word(frame)),
                WaylandMessage.request(surface, 6, new Args()))), "wl_surface attach, damage, frame, commit");
        answerPings(client.receiveUntil(m -> m.objectId() == frame && m.opcode() == 0, MAX_POLLS));
    }

    /** A wl_display.error among {@code events}, as text, else null. */
    static String error(List<WaylandMessage> events) {
        for (WaylandMessage m : events) {
            if (m.objectId() == CrossDomainClient.WL_DISPLAY && m.opcode() == 0) {
                WaylandMessage.Reader r = m.reader();
                return "object " + r.word() + " code " + r.word() + ": " + r.string();
            }
        }
        return null;
    }

    private void answerPings(List<WaylandMessage> events) {
        String error = error(events);
        if (error != null) {
            throw new AssertionError("the compositor sent wl_display.error " + error);
        }
        List<WaylandMessage> pongs = new ArrayList<>();
        for (WaylandMessage m : events) {
            if (m.objectId() == wmBase && m.opcode() == 0) {
                pongs.add(WaylandMessage.request(wmBase, 3, new Args().word(m.reader().word())));
            }
        }
        if (!pongs.isEmpty()) {
            CrossDomainClient.ok(client.send(pongs), "xdg_wm_base.pong");
        }
    }
}
