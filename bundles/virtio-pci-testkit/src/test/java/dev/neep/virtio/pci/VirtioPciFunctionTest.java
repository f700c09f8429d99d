package dev.neep.virtio.pci;

import static dev.neep.virtio.pci.VirtioPciRegs.NO_VECTOR;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.neep.virtio.DeviceStatus;
import dev.neep.virtio.GuestMemories;
import dev.neep.virtio.RegionGuestMemory;
import dev.neep.virtio.VirtioFeatures;
import dev.neep.virtio.driver.DriverQueue;
import dev.neep.virtio.driver.GuestAllocator;
import dev.neep.virtio.driver.UsedElement;
import dev.neep.virtio.pci.driver.VirtioPciDriver;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Before;
import org.junit.Test;

/** The transport driven by a guest-side PCI driver, rule by rule (virtio 1.2 §4.1). */
public class VirtioPciFunctionTest {
    private static final long RAM = 0x10_0000;
    private static final int RAM_SIZE = 4 << 20;
    private static final long MMIO = 0xe000_0000L;
    private static final long FEATURES = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
            | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX) | VirtioFeatures.bit(FakeDevice.FEATURE_BIT);

    private RegionGuestMemory memory;
    private GuestAllocator allocator;
    private FakeDevice device;
    private VirtioPciFunction function;
    private VirtioPciDriver driver;

    @Before
    public void setUp() {
        memory = GuestMemories.heap(RAM, RAM_SIZE);
        allocator = new GuestAllocator(RAM, RAM_SIZE);
        device = new FakeDevice();
        function = new VirtioPciFunction(device, memory);
        driver = VirtioPciDriver.probe(function, MMIO);
    }

    private DriverQueue[] setUpQueues() {
        DriverQueue[] queues = new DriverQueue[2];
        for (int q = 0; q < 2; q++) {
            long base = allocator.allocate(64 * 1024, 4096);
            queues[q] = DriverQueue.contiguous(memory, 64, base, true);
            assertEquals(1 + q, driver.setupQueue(q, 64, queues[q].descTable(), queues[q].availRing(),
                    queues[q].usedRing(), 1 + q));
        }
        return queues;
    }

    private DriverQueue[] bringUp() {
        assertTrue(driver.negotiate(FEATURES));
        assertEquals(0, driver.setConfigVector(0));
        DriverQueue[] queues = setUpQueues();
        driver.driverOk();
        assertEquals(0, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        return queues;
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    // ---- identity and capabilities ----

    @Test
    public void headerCarriesModernIdsRevisionOneAndClassCode() {
        assertEquals(0x1af4, function.configRead(PciRegs.VENDOR_ID, 2));
        assertEquals(0x1040 + FakeDevice.DEVICE_ID, function.configRead(PciRegs.DEVICE_ID, 2));
        assertEquals(1, function.configRead(PciRegs.REVISION_ID, 1));
        assertEquals(VirtioPciFunction.Options.CLASS_OTHER, function.configRead(PciRegs.REVISION_ID, 4) >>> 8);
        assertEquals(0x1af4, function.configRead(PciRegs.SUBSYSTEM_VENDOR_ID, 2));
        assertTrue(function.configRead(PciRegs.SUBSYSTEM_ID, 2) >= 0x40);
        assertEquals(0, function.configRead(PciRegs.HEADER_TYPE, 1));
        assertEquals(1, function.configRead(PciRegs.INTERRUPT_PIN, 1));
    }

    @Test
    public void classCodeComesFromTheOptions() {
        VirtioPciFunction gpu = new VirtioPciFunction(device, memory,
                VirtioPciFunction.Options.forDevice(16).withSubsystem(0x1af4, 0x1100));
        assertEquals(0x038000, gpu.configRead(PciRegs.REVISION_ID, 4) >>> 8);
        assertEquals(0x030000, new VirtioPciFunction(device, memory, VirtioPciFunction.Options.forDevice(16)
                .withClassCode(VirtioPciFunction.Options.CLASS_DISPLAY_VGA)).configRead(PciRegs.REVISION_ID, 4) >>> 8);
    }

    @Test
    public void capabilityListHasEveryVirtioStructure() {
        VirtioPciDriver.VirtioCap common = driver.cap(VirtioPciRegs.PCI_CAP_COMMON_CFG).orElseThrow();
        VirtioPciDriver.VirtioCap isr = driver.cap(VirtioPciRegs.PCI_CAP_ISR_CFG).orElseThrow();
        VirtioPciDriver.VirtioCap dev = driver.cap(VirtioPciRegs.PCI_CAP_DEVICE_CFG).orElseThrow();
        VirtioPciDriver.VirtioCap notify = driver.cap(VirtioPciRegs.PCI_CAP_NOTIFY_CFG).orElseThrow();
        VirtioPciDriver.VirtioCap pciCfg = driver.cap(VirtioPciRegs.PCI_CAP_PCI_CFG).orElseThrow();
        for (VirtioPciDriver.VirtioCap c : List.of(common, isr, dev, notify)) {
            assertEquals(VirtioPciFunction.VIRTIO_BAR, c.bar());
            assertTrue(c.offset() + c.length() <= driver.barSize(c.bar()));
        }
        assertTrue(common.length() >= VirtioPciRegs.COMMON_SIZE);
        assertEquals(8, dev.length());
        assertEquals(VirtioPciFunction.NOTIFY_OFF_MULTIPLIER, notify.notifyOffMultiplier());
        assertTrue(notify.length() >= (2 - 1) * notify.notifyOffMultiplier() + 2);
        assertEquals(VirtioPciRegs.PCI_CFG_CAP_SIZE, function.configRead(pciCfg.position() + 2, 1));
        assertTrue(driver.msixCapability() > 0);
        assertEquals(3, driver.msixVectors());
        assertEquals(VirtioPciFunction.MSIX_BAR, function.configRead(driver.msixCapability() + 4, 4) & 7);
    }

    @Test
    public void readOnlyHeaderFieldsKeepTheirValues() {
        function.configWrite(PciRegs.VENDOR_ID, 4, 0x12345678);
        function.configWrite(PciRegs.CAPABILITY_LIST, 1, 0);
        assertEquals(0x1af4, function.configRead(PciRegs.VENDOR_ID, 2));
        assertEquals(0x40, function.configRead(PciRegs.CAPABILITY_LIST, 1));
    }

    // ---- BARs ----

    @Test
    public void barSizingReturnsMask() {
        VirtioPciFunction fresh = new VirtioPciFunction(device, memory);
        long size = fresh.bars().stream().filter(b -> b.index() == VirtioPciFunction.VIRTIO_BAR).findFirst()
                .orElseThrow().size();
        int low = PciRegs.BAR0 + 4 * VirtioPciFunction.VIRTIO_BAR;
        fresh.configWrite(low, 4, 0xffffffff);
        fresh.configWrite(low + 4, 4, 0xffffffff);
        long mask = (fresh.configRead(low + 4, 4) & 0xffffffffL) << 32 | (fresh.configRead(low, 4) & 0xffffffffL);
        assertEquals(PciRegs.BAR_MEM_TYPE_64 | PciRegs.BAR_MEM_PREFETCH, mask & 0xf);
        assertEquals(size, -(mask & ~0xfL));

        int msix = PciRegs.BAR0 + 4 * VirtioPciFunction.MSIX_BAR;
        fresh.configWrite(msix, 4, 0xffffffff);
        assertEquals(4096, -(fresh.configRead(msix, 4) & ~0xf));
    }

    @Test
    public void unimplementedBarsReadZeroAfterSizing() {
        for (int bar : new int[] {0, 2, 3}) {
            function.configWrite(PciRegs.BAR0 + 4 * bar, 4, 0xffffffff);
            assertEquals(0, function.configRead(PciRegs.BAR0 + 4 * bar, 4));
        }
        function.configWrite(PciRegs.ROM_ADDRESS, 4, 0xffffffff);
        assertEquals(0, function.configRead(PciRegs.ROM_ADDRESS, 4));
    }

    @Test
    public void barAddressIsWhereTheDriverPlacedIt() {
        assertEquals(driver.barBase(VirtioPciFunction.VIRTIO_BAR), function.barAddress(VirtioPciFunction.VIRTIO_BAR));
        assertEquals(driver.barBase(VirtioPciFunction.MSIX_BAR), function.barAddress(VirtioPciFunction.MSIX_BAR));
        assertTrue(function.memoryEnabled());
        assertEquals(0, driver.barBase(VirtioPciFunction.VIRTIO_BAR) % driver.barSize(VirtioPciFunction.VIRTIO_BAR));
    }

    // ---- features ----

    @Test
    public void deviceFeatureWindowsShowTheOfferMinusWhatTheTransportCannotDo() {
        long offered = driver.deviceFeatures();
        assertTrue(VirtioFeatures.has(offered, FakeDevice.FEATURE_BIT));
        assertTrue(VirtioFeatures.has(offered, VirtioFeatures.VIRTIO_F_VERSION_1));
        assertFalse("packed rings are not implemented",
                VirtioFeatures.has(offered, VirtioFeatures.VIRTIO_F_RING_PACKED));
        driver.commonWrite(VirtioPciRegs.COMMON_DFSELECT, 4, 7);
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_DF, 4));
    }

    @Test
    public void featuresNotOfferedAreRefusedAtFeaturesOk() {
        assertFalse(driver.negotiate(FEATURES | VirtioFeatures.bit(FakeDevice.FEATURE_BIT + 1)));
        assertFalse(driver.negotiate(FEATURES | VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_RING_PACKED)));
        assertTrue(driver.negotiate(FEATURES));
    }

    @Test
    public void featuresWithoutVersion1AreRefusedAtFeaturesOk() {
        assertFalse(driver.negotiate(VirtioFeatures.bit(FakeDevice.FEATURE_BIT)));
    }

    @Test
    public void driverFeaturesCannotChangeAfterFeaturesOk() {
        assertTrue(driver.negotiate(FEATURES));
        driver.writeDriverFeatures(FEATURES | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC));
        setUpQueues();
        driver.driverOk();
        assertEquals(FEATURES, device.activatedFeatures);
    }

    @Test
    public void statusBitsCannotBeClearedWithoutReset() {
        assertTrue(driver.negotiate(FEATURES));
        driver.setStatus(DeviceStatus.ACKNOWLEDGE);
        assertEquals(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK, driver.status());
    }

    // ---- reset ----

    @Test
    public void resetByWritingZeroStatus() {
        bringUp();
        int resetsBefore = device.resets.get();
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, 1);
        driver.setStatus(0);
        assertEquals(0, driver.status());
        assertEquals(resetsBefore + 1, device.resets.get());
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_Q_SELECT, 2));
        assertEquals(FakeDevice.MAX_QUEUE, driver.queueMaxSize(1));
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_Q_ENABLE, 2));
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_Q_DESCLO, 4));
        assertEquals(NO_VECTOR, driver.commonRead(VirtioPciRegs.COMMON_Q_MSIX, 2));
        assertEquals(NO_VECTOR, driver.commonRead(VirtioPciRegs.COMMON_MSIX, 2));
        driver.commonWrite(VirtioPciRegs.COMMON_GFSELECT, 4, 0);
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_GF, 4));
        // A second life works the same way.
        bringUp();
        assertEquals(FEATURES, device.activatedFeatures);
    }

    @Test
    public void interruptsOfAResetDeviceGoNowhere() {
        bringUp();
        var stale = device.interrupts;
        driver.reset();
        stale.signalQueue(0);
        stale.signalConfigChange();
        assertEquals(0, driver.vectorCount(1));
        assertEquals(0, driver.vectorCount(0));
    }

    @Test
    public void pciResetRestoresPowerOnConfigurationSpace() {
        bringUp();
        function.reset();
        assertEquals(0, function.configRead(PciRegs.COMMAND, 2));
        assertEquals(0, function.barAddress(VirtioPciFunction.VIRTIO_BAR));
        assertEquals(0, function.configRead(driver.msixCapability() + PciRegs.MSIX_FLAGS, 2)
                & PciRegs.MSIX_FLAGS_ENABLE);
        assertEquals(0, function.deviceStatus());
    }

    // ---- queues and DRIVER_OK ----

    @Test
    public void driverOkActivatesWithQueuesAtTheGivenAddresses() {
        DriverQueue[] queues = bringUp();
        assertEquals(FEATURES, device.activatedFeatures);
        assertEquals(2, device.queues.size());
        for (int q = 0; q < 2; q++) {
            assertEquals(q, device.queues.get(q).index());
            assertEquals(64, device.queues.get(q).size());
            assertEquals(queues[q].descTable(), device.queues.get(q).descTable());
            assertEquals(queues[q].availRing(), device.queues.get(q).availRing());
            assertEquals(queues[q].usedRing(), device.queues.get(q).usedRing());
        }
    }

    @Test
    public void queueAddressesTakeBothHalves() {
        assertTrue(driver.negotiate(FEATURES));
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, 0);
        driver.commonWrite(VirtioPciRegs.COMMON_Q_DESCLO, 4, 0x89abc000L);
        driver.commonWrite(VirtioPciRegs.COMMON_Q_DESCHI, 4, 0x1234567L);
        assertEquals(0x1234567_89abc000L, driver.commonRead(VirtioPciRegs.COMMON_Q_DESCLO, 8));
        driver.commonWrite(VirtioPciRegs.COMMON_Q_AVAILLO, 8, 0x1122334455667788L);
        assertEquals(0x11223344L, driver.commonRead(VirtioPciRegs.COMMON_Q_AVAILHI, 4));
    }

    @Test
    public void queueSizeNotPowerOfTwoSetsNeedsReset() {
        assertTrue(driver.negotiate(FEATURES));
        assertEquals(0, driver.setConfigVector(0));
        DriverQueue[] queues = setUpQueues();
        driver.setStatus(0);
        assertTrue(driver.negotiate(FEATURES));
        assertEquals(0, driver.setConfigVector(0));
        driver.setupQueue(0, 48, queues[0].descTable(), queues[0].availRing(), queues[0].usedRing(), 1);
        driver.setupQueue(1, 64, queues[1].descTable(), queues[1].availRing(), queues[1].usedRing(), 2);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertNull("the device is not activated", device.queues);
        assertEquals("a configuration change is signalled", 1, driver.vectorCount(0));
    }

    @Test
    public void queueSizeAboveTheDeviceMaximumSetsNeedsReset() {
        assertTrue(driver.negotiate(FEATURES));
        long base = allocator.allocate(1 << 20, 4096);
        DriverQueue big = DriverQueue.contiguous(memory, 512, base, true);
        driver.setupQueue(0, 512, big.descTable(), big.availRing(), big.usedRing(), 1);
        driver.setupQueue(1, 512, big.descTable(), big.availRing(), big.usedRing(), 2);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertNull(device.queues);
    }

    @Test
    public void ringOutsideGuestMemorySetsNeedsReset() {
        assertTrue(driver.negotiate(FEATURES));
        driver.setupQueue(0, 64, 0x4000_0000L, 0x4000_1000L, 0x4000_2000L, 1);
        driver.setupQueue(1, 64, 0x4000_0000L, 0x4000_1000L, 0x4000_2000L, 2);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertNull(device.queues);
    }

    @Test
    public void driverOkWithoutFeaturesOkSetsNeedsReset() {
        driver.reset();
        driver.setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
        assertNull(device.queues);
    }

    @Test
    public void enabledQueueAfterADisabledOneSetsNeedsReset() {
        assertTrue(driver.negotiate(FEATURES));
        DriverQueue q = DriverQueue.contiguous(memory, 64, allocator.allocate(64 * 1024, 4096), true);
        driver.setupQueue(1, 64, q.descTable(), q.availRing(), q.usedRing(), 2);
        driver.driverOk();
        assertEquals(DeviceStatus.DEVICE_NEEDS_RESET, driver.status() & DeviceStatus.DEVICE_NEEDS_RESET);
    }

    @Test
    public void queueConfigurationIsFrozenOnceEnabled() {
        assertTrue(driver.negotiate(FEATURES));
        DriverQueue[] queues = setUpQueues();
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, 0);
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SIZE, 2, 8);
        driver.commonWrite(VirtioPciRegs.COMMON_Q_DESCLO, 4, 0);
        driver.commonWrite(VirtioPciRegs.COMMON_Q_ENABLE, 2, 0);
        assertEquals(64, driver.commonRead(VirtioPciRegs.COMMON_Q_SIZE, 2));
        assertEquals(queues[0].descTable(), driver.commonRead(VirtioPciRegs.COMMON_Q_DESCLO, 8));
        assertEquals(1, driver.commonRead(VirtioPciRegs.COMMON_Q_ENABLE, 2));
    }

    @Test
    public void queueSelectBeyondTheQueuesReadsSizeZero() {
        assertEquals(2, driver.numQueues());
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, 2);
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_Q_SIZE, 2));
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SIZE, 2, 16);
        assertEquals(0, driver.commonRead(VirtioPciRegs.COMMON_Q_SIZE, 2));
        assertEquals(NO_VECTOR, driver.commonRead(VirtioPciRegs.COMMON_Q_MSIX, 2));
    }

    @Test
    public void queueNotifyOffsetIsTheQueueIndex() {
        for (int q = 0; q < 2; q++) {
            driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, q);
            assertEquals(q, driver.commonRead(VirtioPciRegs.COMMON_Q_NOFF, 2));
        }
    }

    // ---- a transfer ----

    @Test
    public void kickThroughNotifyIsAnsweredWithAnMsixMessage() {
        DriverQueue[] queues = bringUp();
        int head = queues[1].submit(allocator, List.of(bytes("virtio")), 6);
        assertTrue(queues[1].kickNeeded());
        driver.notifyQueue(1);
        assertEquals(1, device.notifies.get());
        assertEquals(1, driver.vectorCount(2));
        assertEquals(0, driver.vectorCount(1));
        UsedElement used = queues[1].pollUsed().orElseThrow();
        assertEquals(head, used.id());
        assertEquals(6, used.length());
        assertEquals("oitriv", StandardCharsets.US_ASCII.decode(used.written()).toString());
        assertEquals("MSI-X delivery leaves ISR alone", 0, driver.readIsr());
    }

    @Test
    public void notifyBeforeDriverOkIsIgnored() {
        assertTrue(driver.negotiate(FEATURES));
        setUpQueues();
        driver.notifyQueue(0);
        assertEquals(0, device.notifies.get());
    }

    // ---- ISR and INTx ----

    @Test
    public void isrReadClears() {
        function.configWrite(driver.msixCapability() + PciRegs.MSIX_FLAGS, 2, 0);
        DriverQueue[] queues = bringUp();
        queues[0].submit(allocator, List.of(bytes("ab")), 2);
        driver.notifyQueue(0);
        assertTrue(driver.intxAsserted());
        assertEquals(PciRegs.STATUS_INTERRUPT, function.configRead(PciRegs.STATUS, 2) & PciRegs.STATUS_INTERRUPT);
        assertEquals(VirtioPciRegs.ISR_QUEUE, driver.readIsr());
        assertFalse(driver.intxAsserted());
        assertEquals(0, driver.readIsr());
        assertEquals(0, function.configRead(PciRegs.STATUS, 2) & PciRegs.STATUS_INTERRUPT);
        device.changeConfig(5);
        assertEquals(VirtioPciRegs.ISR_CONFIG, driver.readIsr());
        assertEquals(2, driver.intxAssertions());
    }

    @Test
    public void intxDisableKeepsTheLineLow() {
        function.configWrite(driver.msixCapability() + PciRegs.MSIX_FLAGS, 2, 0);
        function.configWrite(PciRegs.COMMAND, 2, function.configRead(PciRegs.COMMAND, 2)
                | PciRegs.COMMAND_INTX_DISABLE);
        DriverQueue[] queues = bringUp();
        queues[0].submit(allocator, List.of(bytes("ab")), 2);
        driver.notifyQueue(0);
        assertFalse(driver.intxAsserted());
        assertEquals("the status bit shows the interrupt anyway", PciRegs.STATUS_INTERRUPT,
                function.configRead(PciRegs.STATUS, 2) & PciRegs.STATUS_INTERRUPT);
        assertEquals(VirtioPciRegs.ISR_QUEUE, driver.readIsr());
    }

    // ---- configuration space ----

    @Test
    public void configGenerationChangesOnConfigChange() {
        bringUp();
        int before = driver.configGeneration();
        device.changeConfig(0xcafe);
        assertEquals((before + 1) & 0xff, driver.configGeneration());
        assertEquals(1, driver.vectorCount(0));
        assertEquals(0xcafe, ByteBuffer.wrap(driver.readDeviceConfig(0, 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt());
        assertEquals("ISR says why, even with MSI-X", VirtioPciRegs.ISR_CONFIG, driver.readIsr());
    }

    @Test
    public void deviceConfigurationReachesTheDeviceAtAnyWidth() {
        long base = driver.barBase(VirtioPciFunction.VIRTIO_BAR)
                + driver.cap(VirtioPciRegs.PCI_CAP_DEVICE_CFG).orElseThrow().offset();
        assertEquals(0x12345678L, driver.mmioRead(base, 4));
        assertEquals(0x3456, driver.mmioRead(base + 1, 2));
        driver.mmioWrite(base + 4, 4, 0xdeadbeefL);
        assertEquals(0xdeadbeef, device.configWord(4));
        driver.mmioWrite(base, 4, 0);
        assertEquals("read-only word unchanged", 0x12345678, device.configWord(0));
        assertArrayEquals(new byte[] {(byte) 0xef, (byte) 0xbe}, driver.readDeviceConfig(4, 2));
    }

    @Test
    public void pciCfgWindowReachesTheVirtioBar() {
        int cap = driver.cap(VirtioPciRegs.PCI_CAP_PCI_CFG).orElseThrow().position();
        function.configWrite(cap + VirtioPciRegs.CAP_BAR, 1, VirtioPciFunction.VIRTIO_BAR);
        function.configWrite(cap + VirtioPciRegs.CAP_OFFSET, 4, VirtioPciRegs.COMMON_NUMQ);
        function.configWrite(cap + VirtioPciRegs.CAP_LENGTH, 4, 2);
        assertEquals(2, function.configRead(cap + VirtioPciRegs.PCI_CFG_CAP_DATA, 2));

        driver.reset();
        function.configWrite(cap + VirtioPciRegs.CAP_OFFSET, 4, VirtioPciRegs.COMMON_STATUS);
        function.configWrite(cap + VirtioPciRegs.CAP_LENGTH, 4, 1);
        function.configWrite(cap + VirtioPciRegs.PCI_CFG_CAP_DATA, 1, DeviceStatus.ACKNOWLEDGE);
        assertEquals(DeviceStatus.ACKNOWLEDGE, driver.status());
    }

    @Test
    public void pciCfgWindowIgnoresMisalignedAccess() {
        int cap = driver.cap(VirtioPciRegs.PCI_CAP_PCI_CFG).orElseThrow().position();
        driver.reset();
        function.configWrite(cap + VirtioPciRegs.CAP_BAR, 1, VirtioPciFunction.VIRTIO_BAR);
        function.configWrite(cap + VirtioPciRegs.CAP_OFFSET, 4, VirtioPciRegs.COMMON_STATUS - 2);
        function.configWrite(cap + VirtioPciRegs.CAP_LENGTH, 4, 4);
        function.configWrite(cap + VirtioPciRegs.PCI_CFG_CAP_DATA, 4, 0x00010000);
        assertEquals(0, driver.status());
        function.configWrite(cap + VirtioPciRegs.CAP_LENGTH, 4, 3);
        function.configWrite(cap + VirtioPciRegs.PCI_CFG_CAP_DATA, 4, 1);
        assertEquals(0, driver.status());
    }

    // ---- MSI-X ----

    @Test
    public void msixMaskedVectorSetsPendingBit() {
        DriverQueue[] queues = bringUp();
        long table = driver.barBase(VirtioPciFunction.MSIX_BAR);
        long ctrl2 = table + 2 * PciRegs.MSIX_ENTRY_SIZE + PciRegs.MSIX_ENTRY_VECTOR_CTRL;
        int pbaReg = function.configRead(driver.msixCapability() + PciRegs.MSIX_PBA, 4);
        long pba = driver.barBase(pbaReg & PciRegs.MSIX_BIR_MASK) + (pbaReg & ~PciRegs.MSIX_BIR_MASK);
        driver.mmioWrite(ctrl2, 4, PciRegs.MSIX_ENTRY_CTRL_MASKBIT);

        queues[1].submit(allocator, List.of(bytes("x")), 1);
        driver.notifyQueue(1);
        assertEquals(0, driver.vectorCount(2));
        assertEquals(1L << 2, driver.mmioRead(pba, 8));

        driver.mmioWrite(ctrl2, 4, 0);
        assertEquals(1, driver.vectorCount(2));
        assertEquals(0, driver.mmioRead(pba, 8));
    }

    @Test
    public void functionMaskHoldsEveryVector() {
        bringUp();
        int control = driver.msixCapability() + PciRegs.MSIX_FLAGS;
        function.configWrite(control, 2, PciRegs.MSIX_FLAGS_ENABLE | PciRegs.MSIX_FLAGS_MASKALL);
        device.changeConfig(1);
        assertEquals(0, driver.vectorCount(0));
        function.configWrite(control, 2, PciRegs.MSIX_FLAGS_ENABLE);
        assertEquals(1, driver.vectorCount(0));
    }

    @Test
    public void noMessageWithoutBusMastering() {
        bringUp();
        int command = function.configRead(PciRegs.COMMAND, 2);
        function.configWrite(PciRegs.COMMAND, 2, command & ~PciRegs.COMMAND_MASTER);
        device.changeConfig(1);
        assertEquals(0, driver.vectorCount(0));
        function.configWrite(PciRegs.COMMAND, 2, command);
        assertEquals(1, driver.vectorCount(0));
    }

    @Test
    public void vectorBeyondTheTableReadsNoVector() {
        assertTrue(driver.negotiate(FEATURES));
        assertEquals(NO_VECTOR, driver.setConfigVector(3));
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, 0);
        driver.commonWrite(VirtioPciRegs.COMMON_Q_MSIX, 2, 100);
        assertEquals(NO_VECTOR, driver.commonRead(VirtioPciRegs.COMMON_Q_MSIX, 2));
    }

    @Test
    public void noVectorMeansNoInterrupt() {
        assertTrue(driver.negotiate(FEATURES));
        DriverQueue[] queues = setUpQueues();
        driver.commonWrite(VirtioPciRegs.COMMON_Q_SELECT, 2, 0);
        driver.driverOk();
        device.changeConfig(2);
        queues[0].submit(allocator, List.of(bytes("x")), 1);
        driver.notifyQueue(0);
        assertEquals("config vector was never set", 0, driver.vectorCount(0));
        assertEquals(1, driver.vectorCount(1));
        assertFalse(driver.intxAsserted());
        assertNotNull(queues[0].pollUsed().orElse(null));
    }

    @Test
    public void msixTableEntriesStartMasked() {
        VirtioPciFunction fresh = new VirtioPciFunction(device, memory);
        assertEquals(PciRegs.MSIX_ENTRY_CTRL_MASKBIT, fresh.barRead(VirtioPciFunction.MSIX_BAR,
                PciRegs.MSIX_ENTRY_VECTOR_CTRL, 4));
    }

    @Test
    public void accessesOutsideTheBarsReadZero() {
        assertEquals(0, function.barRead(VirtioPciFunction.VIRTIO_BAR, 1L << 40, 4));
        assertEquals(0, function.barRead(0, 0, 4));
        function.barWrite(VirtioPciFunction.VIRTIO_BAR, -8, 8, -1);
        assertEquals(0, function.configRead(PciFunction.CONFIG_SPACE_SIZE, 4));
    }
}
