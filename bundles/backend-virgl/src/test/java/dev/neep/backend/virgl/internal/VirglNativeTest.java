package dev.neep.backend.virgl.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.neep.gpu.api.GpuBackendException;
import dev.neep.gpu.protocol.CtrlType;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.Test;

public class VirglNativeTest {

    private static final String PACKAGE = VirglNative.class.getPackageName() + ".";

    /**
     * Loads this package's classes again in a loader of their own, so VirglNative's one-time
     * load runs once more, this time against a library that does not exist.
     */
    @Test
    public void missingLibraryIsReportedAsNotAvailableInsteadOfThrown() throws Exception {
        String previous = System.getProperty(VirglNative.LIBRARY_PROPERTY);
        System.setProperty(VirglNative.LIBRARY_PROPERTY, "/nonexistent/libvirglrenderer.so.1");
        try {
            Class<?> gateway = Class.forName(VirglNative.class.getName(), true, new PackageFirstLoader());
            assertFalse((Boolean) call(gateway, "available"));
            String reason = (String) call(gateway, "unavailableReason");
            assertTrue(reason, reason.startsWith("not available: libvirglrenderer could not be loaded"));
            assertTrue(reason, reason.contains("/nonexistent/libvirglrenderer.so.1"));
            try {
                call(gateway, "library");
                fail("a missing library was handed out");
            } catch (InvocationTargetException e) {
                GpuBackendException cause = (GpuBackendException) e.getCause();
                assertTrue(cause.getMessage(), cause.getMessage().contains("not available"));
                assertTrue(cause.responseType() == CtrlType.RESP_ERR_UNSPEC);
            }
        } finally {
            if (previous == null) {
                System.clearProperty(VirglNative.LIBRARY_PROPERTY);
            } else {
                System.setProperty(VirglNative.LIBRARY_PROPERTY, previous);
            }
        }
    }

    private static Object call(Class<?> type, String name) throws Exception {
        Method method = type.getDeclaredMethod(name);
        method.setAccessible(true);
        return method.invoke(null);
    }

    private static final class PackageFirstLoader extends ClassLoader {
        PackageFirstLoader() {
            super(VirglNativeTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(PACKAGE) || name.endsWith("Test")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    String resource = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(resource)) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return loaded;
            }
        }
    }
}
