package dev.neep.display.web.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few parts of HTTP/1.1 (RFC 9112) a viewer needs: GET and HEAD of fixed paths, one request
 * per connection, a body of known length or a stream that lasts until either side closes.
 *
 * <p>Written on {@link ServerSocket} rather than the JDK's {@code com.sun.net.httpserver} because
 * that package is not in every OSGi framework's system packages (Karaf's {@code jre.properties}
 * leaves it out), so a bundle importing it would need each runtime's framework properties
 * changed.
 *
 * <p>Limits keep a misbehaving client from holding the server: requests are read within
 * {@link #READ_TIMEOUT_MS} and {@link #MAX_HEAD_BYTES}, and at most {@link #MAX_CONNECTIONS}
 * connections are served at once; more are answered 503 and closed. A request whose
 * {@code Host} header names neither an address, {@code localhost} nor the configured host is
 * refused, so that a web page elsewhere cannot read the viewer through DNS rebinding.
 */
final class HttpServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 32;
    static final int MAX_HEAD_BYTES = 16 * 1024;
    static final int READ_TIMEOUT_MS = 10_000;
    private static final int LINGER_MS = 1000;
    private static final long MAX_LINGER_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /** One parsed request; header names are lower case. */
    record Request(String method, String path, String query, Map<String, String> headers) {
    }

    /** Writes a streamed body until it is done or the client has gone (an {@link IOException}). */
    interface Stream {
        void writeTo(OutputStream out) throws IOException, InterruptedException;
    }

    /** A response: a status with a body of known length, or a status with a stream. */
    record Reply(int status, String contentType, byte[] body, Stream stream, Map<String, String> headers) {
        static Reply of(int status, String contentType, byte[] body) {
            return new Reply(status, contentType, body, null, Map.of());
        }

        static Reply text(int status, String text) {
            return of(status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
        }

        static Reply stream(String contentType, Stream stream) {
            return new Reply(200, contentType, null, stream, Map.of());
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new HashMap<>(headers);
            h.put(name, value);
            return new Reply(status, contentType, body, stream, Map.copyOf(h));
        }
    }

    /** Answers a request; runs on a connection's thread. */
    interface Handler {
        Reply handle(Request request) throws IOException;
    }

    private final ServerSocket listener;
    private final String configuredHost;
    private final Handler handler;
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers;
    private final Thread acceptor;
    private volatile boolean closed;
    /** Whether a handler failure has been logged at error level; later ones go to debug. */
    private volatile boolean handlerFailed;

    private HttpServer(ServerSocket listener, String configuredHost, Handler handler) {
        this.listener = listener;
        this.configuredHost = configuredHost;
        this.handler = handler;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "neep-web-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "neep-web-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code address}:{@code port} and serves {@code handler}.
     *
     * @param configuredHost the host as configured, accepted in {@code Host} headers besides
     *        addresses and {@code localhost}
     * @throws IOException when the address cannot be bound
     */
    static HttpServer start(InetAddress address, int port, String configuredHost, Handler handler)
            throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(address, port), 50);
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        HttpServer server = new HttpServer(listener, configuredHost, handler);
        server.acceptor.start();
        return server;
    }

    /** The port listened on (the one chosen when configured as 0). */
    int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("closing the listening socket", e);
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        workers.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("web viewer connections still open 5 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("web viewer stops accepting connections on port {}", port(), e);
                }
                return;
            }
            if (!connections.tryAcquire()) {
                refuseBusy(s);
                continue;
            }
            open.add(s);
            try {
                workers.execute(() -> serve(s));
            } catch (RuntimeException e) {
                // Rejected because close() shut the pool down between accept and here.
                release(s);
            }
        }
    }

    private void refuseBusy(Socket s) {
        try (s) {
            s.setSoTimeout(1000);
            writeHead(s.getOutputStream(), 503, "text/plain; charset=utf-8", 0, Map.of("Retry-After", "5"));
        } catch (IOException e) {
            LOG.debug("refusing a connection beyond {}", MAX_CONNECTIONS, e);
        }
    }

    private void serve(Socket s) {
        try {
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            Reply reply;
            boolean head = false;
            try {
                Request request = readRequest(new BufferedInputStream(s.getInputStream()));
                head = request.method().equals("HEAD");
                reply = answer(request);
            } catch (BadRequest e) {
                reply = Reply.text(e.status, e.getMessage());
            }
            respond(out, reply, head);
            closeGracefully(s);
        } catch (SocketException e) {
            LOG.debug("web viewer connection closed", e);
        } catch (IOException e) {
            LOG.debug("web viewer connection failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release(s);
        }
    }

    private Reply answer(Request request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Reply.text(405, "only GET and HEAD").withHeader("Allow", "GET, HEAD");
        }
        if (!hostAllowed(request.headers().get("host"))) {
            return Reply.text(421, "Host " + request.headers().get("host") + " is not this viewer's;"
                    + " use its address, localhost or " + configuredHost);
        }
        try {
            return handler.handle(request);
        } catch (IOException | RuntimeException e) {
            if (!handlerFailed) {
                handlerFailed = true;
                LOG.error("web viewer failed to answer {} {}; further failures are logged at debug",
                        request.method(), request.path(), e);
            } else {
                LOG.debug("web viewer failed to answer {} {}", request.method(), request.path(), e);
            }
            return Reply.text(500, "internal error: " + e);
        }
    }

    private void respond(OutputStream out, Reply reply, boolean head) throws IOException, InterruptedException {
        long length = reply.body() == null ? -1 : reply.body().length;
        writeHead(out, reply.status(), reply.contentType(), length, reply.headers());
        if (head) {
            out.flush();
            return;
        }
        if (reply.body() != null) {
            out.write(reply.body());
            out.flush();
        } else {
            out.flush();
            reply.stream().writeTo(out);
        }
    }

    private static void writeHead(OutputStream out, int status, String contentType, long length,
            Map<String, String> headers) throws IOException {
        StringBuilder h = new StringBuilder(256);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Content-Type: ").append(contentType).append("\r\n");
        if (length >= 0) {
            h.append("Content-Length: ").append(length).append("\r\n");
        }
        h.append("Cache-Control: no-store\r\n");
        h.append("X-Content-Type-Options: nosniff\r\n");
        h.append("Connection: close\r\n");
        headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 421: return "Misdirected Request";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            case 505: return "HTTP Version Not Supported";
            default: return "Status " + status;
        }
    }

    /** Reads the request line and headers; a request body is never expected and not read. */
    static Request readRequest(InputStream in) throws IOException, BadRequest {
        byte[] buf = new byte[MAX_HEAD_BYTES];
        int n = 0;
        while (n < 4 || buf[n - 4] != '\r' || buf[n - 3] != '\n' || buf[n - 2] != '\r' || buf[n - 1] != '\n') {
            if (n == buf.length) {
                throw new BadRequest(431, "request head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            int b = in.read();
            if (b < 0) {
                throw new BadRequest(400, "connection closed inside the request head");
            }
            buf[n++] = (byte) b;
        }
        String[] lines = new String(buf, 0, n - 4, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[1].startsWith("/")) {
            throw new BadRequest(400, "malformed request line");
        }
        if (!requestLine[2].equals("HTTP/1.1") && !requestLine[2].equals("HTTP/1.0")) {
            throw new BadRequest(505, "only HTTP/1.0 and HTTP/1.1");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new BadRequest(400, "malformed header line");
            }
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String target = requestLine[1];
        int q = target.indexOf('?');
        return new Request(requestLine[0], q < 0 ? target : target.substring(0, q),
                q < 0 ? "" : target.substring(q + 1), headers);
    }

    /** Addresses, localhost and the configured host; an absent Host header (HTTP/1.0) too. */
    private boolean hostAllowed(String hostHeader) {
        if (hostHeader == null) {
            return true;
        }
        String host = hostHeader;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 && host.substring(1, end).indexOf(':') >= 0;
        }
        int colon = host.lastIndexOf(':');
        if (colon >= 0) {
            host = host.substring(0, colon);
        }
        return host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase(configuredHost)
                || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /**
     * Closing a socket with unread input (a request body, the rest of a refused head) resets
     * the connection, and the client may lose the answer: half-close and read what is left
     * first, for a bounded time.
     */
    private static void closeGracefully(Socket s) throws IOException {
        s.shutdownOutput();
        s.setSoTimeout(LINGER_MS);
        InputStream in = s.getInputStream();
        byte[] sink = new byte[4096];
        long left = MAX_LINGER_BYTES;
        for (int n = in.read(sink); n > 0 && left > 0; n = in.read(sink)) {
            left -= n;
        }
    }

    private void release(Socket s) {
        closeQuietly(s);
        if (open.remove(s)) {
            connections.release();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("closing a web viewer connection", e);
        }
    }

    /** A request that gets an error status instead of the handler's answer. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
