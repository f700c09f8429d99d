package dev.neep.display.web.internal;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.WebSocketListener;
import org.eclipse.jetty.websocket.server.WebSocketServerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web viewer's pages, registered with the HTTP Whiteboard at {@code /}: the page, the
 * WebSocket {@code /ws} (Jetty's own WebSocket API: the Whiteboard has none, and Jetty 9.4 is
 * what both Felix HTTP Jetty 4.2 and Karaf's Pax Web 8 run), {@code /scanout/<id>.png},
 * {@code /cursor/<id>.png} and {@code /status.json}.
 *
 * <p>Every request must name, in its {@code Host} header, an IP address, {@code localhost} or
 * the configured host, else it is refused (421) before anything is read: a page elsewhere
 * whose name was rebound to this machine's address (DNS rebinding) sends its own name. A
 * WebSocket upgrade must also come from a page of this viewer ({@code Origin} the same host),
 * else it is refused (403).
 */
final class ViewerServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ViewerServlet.class);
    private static final int MISDIRECTED_REQUEST = 421;
    private static final Pattern SCANOUT_PNG = Pattern.compile("/scanout/([0-9]{1,9})\\.png");
    private static final Pattern CURSOR_PNG = Pattern.compile("/cursor/([0-9]{1,9})\\.png");
    private static final Pattern ADDRESS = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|\\[[0-9A-Fa-f:.%]+]");

    private final transient WebViewer viewer;
    private final String host;
    private transient WebSocketServerFactory sockets;

    ViewerServlet(WebViewer viewer, String host) {
        this.viewer = viewer;
        this.host = host.toLowerCase(Locale.ROOT);
    }

    @Override
    public void init() throws ServletException {
        sockets = new WebSocketServerFactory(getServletContext());
        sockets.setCreator((request, response) -> new Stream());
        try {
            sockets.start();
        } catch (Exception e) {
            throw new ServletException("cannot start the WebSocket factory", e);
        }
    }

    @Override
    public void destroy() {
        try {
            sockets.stop();
        } catch (Exception e) {
            LOG.warn("stopping the WebSocket factory failed", e);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String hostHeader = request.getHeader("Host");
        if (!allowed(hostHeader)) {
            response.sendError(MISDIRECTED_REQUEST, "this viewer does not answer to host " + hostHeader);
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/ws")) {
            String origin = request.getHeader("Origin");
            if (origin != null && !origin.equalsIgnoreCase("http://" + hostHeader)
                    && !origin.equalsIgnoreCase("https://" + hostHeader)) {
                response.sendError(HttpServletResponse.SC_FORBIDDEN, "WebSocket from another page: " + origin);
                return;
            }
            if (sockets.isUpgradeRequest(request, response) && sockets.acceptWebSocket(request, response)) {
                return;
            }
            if (!response.isCommitted()) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST, "/ws is a WebSocket");
            }
            return;
        }
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        if (path.equals("/") || path.equals("/index.html")) {
            reply(response, "text/html; charset=utf-8", viewer.page());
            return;
        }
        if (path.equals("/status.json")) {
            reply(response, "application/json", viewer.status().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        Matcher m = SCANOUT_PNG.matcher(path);
        if (m.matches()) {
            WebViewer.Served served = viewer.scanoutPng(Integer.parseInt(m.group(1)));
            if (served != null) {
                response.setHeader("X-Neep-Frame", Long.toString(served.seq()));
            }
            png(response, served == null ? null : served.png(), "scanout " + m.group(1) + " has no picture");
            return;
        }
        m = CURSOR_PNG.matcher(path);
        if (m.matches()) {
            png(response, viewer.cursorPng(Integer.parseInt(m.group(1))), "scanout " + m.group(1) + " has no cursor");
            return;
        }
        response.sendError(HttpServletResponse.SC_NOT_FOUND, "no such page: " + path);
    }

    /** Whether {@code hostHeader} (with or without a port) names an address, localhost or the configured host. */
    boolean allowed(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return false;
        }
        String name = hostHeader.toLowerCase(Locale.ROOT);
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf(']')) {
            name = name.substring(0, colon);
        }
        return name.equals("localhost") || name.equals(host) || ADDRESS.matcher(name).matches();
    }

    private static void png(HttpServletResponse response, byte[] png, String missing) throws IOException {
        if (png == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, missing);
        } else {
            reply(response, "image/png", png);
        }
    }

    private static void reply(HttpServletResponse response, String type, byte[] body) throws IOException {
        response.setContentType(type);
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** One browser's WebSocket: a thread of its own feeds it (see {@link WebViewer#stream}). */
    private final class Stream implements WebSocketListener {
        private Thread feeder;

        @Override
        public synchronized void onWebSocketConnect(Session session) {
            feeder = new Thread(() -> feed(session), "neep-web-stream");
            feeder.setDaemon(true);
            feeder.start();
        }

        private void feed(Session session) {
            try {
                viewer.stream(new WebViewer.Peer() {
                    @Override
                    public void text(String message) throws IOException {
                        session.getRemote().sendString(message);
                    }

                    @Override
                    public void binary(java.nio.ByteBuffer message) throws IOException {
                        session.getRemote().sendBytes(message);
                    }
                });
            } catch (IOException e) {
                LOG.debug("a browser went away: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                session.close();
            }
        }

        @Override
        public synchronized void onWebSocketClose(int statusCode, String reason) {
            if (feeder != null) {
                feeder.interrupt();
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            LOG.debug("WebSocket error: {}", cause.toString());
        }

        @Override
        public void onWebSocketText(String message) {
            // The page sends nothing.
        }

        @Override
        public void onWebSocketBinary(byte[] payload, int offset, int length) {
            // The page sends nothing.
        }
    }
}
