package dev.neep.display.web.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * A viewer served as the HTTP Whiteboard serves it: its servlet at {@code /} in the Jetty that
 * Felix HTTP Jetty embeds, on a free loopback port.
 */
final class ServedViewer implements AutoCloseable {
    private final WebViewer viewer;
    private final Server server;

    private ServedViewer(WebViewer viewer, Server server) {
        this.viewer = viewer;
        this.server = server;
    }

    static ServedViewer start(long minIntervalMs) throws Exception {
        WebViewer viewer = new WebViewer(minIntervalMs);
        Server server = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new ViewerServlet(viewer, WebSettings.DEFAULT_HOST)), "/");
        server.setHandler(context);
        server.start();
        return new ServedViewer(viewer, server);
    }

    WebViewer viewer() {
        return viewer;
    }

    int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /** Closes the viewer, then stops the server. */
    @Override
    public void close() throws Exception {
        viewer.close();
        server.stop();
    }
}
