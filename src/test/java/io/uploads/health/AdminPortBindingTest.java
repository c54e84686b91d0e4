package io.uploads.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.ConfigOverride;
import io.uploads.UploadServiceConfiguration;
import io.uploads.testing.AppTestBase;
import io.uploads.testing.Http;
import io.uploads.testing.Http.Reply;
import io.uploads.testing.TestApp;
import io.uploads.testing.TestDatabase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.text.StringSubstitutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Dropwizard admin port runs tasks, dumps threads and can profile the CPU for whoever reaches
 * it, without authentication (SPEC §6: "bound to 127.0.0.1 unless configured"). It listens on
 * loopback only unless {@code ADMIN_BIND_HOST} says otherwise, and its CPU profiler is off unless
 * {@code ADMIN_PROFILER} turns it on; the application port is not affected.
 */
class AdminPortBindingTest extends AppTestBase {

    private static final int CONNECT_TIMEOUT_MILLIS = 3_000;

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }

    // ---- where it listens ----

    @Test
    void theAdminPortAnswersOnLoopback() {
        Reply ping = new Http("http://127.0.0.1:" + adminPort()).get("/ping", null);

        assertThat(ping.status()).isEqualTo(200);
        assertThat(ping.body()).contains("pong");
    }

    @Test
    void theAdminPortRefusesConnectionsOnThisMachinesOtherAddress() {
        InetAddress outside = nonLoopbackAddress();

        assertThatThrownBy(() -> connect(outside, adminPort()))
                .as("TCP connect to the admin port on %s", outside)
                .isInstanceOf(ConnectException.class);
    }

    /** On the same address the admin port refuses: the refusal is its binding, not the network. */
    @Test
    void theApplicationPortStillListensOnThisMachinesOtherAddress() {
        InetAddress outside = nonLoopbackAddress();

        assertThatCode(() -> connect(outside, appPort())).doesNotThrowAnyException();
        Reply unauthenticated = new Http("http://" + literal(outside) + ":" + appPort()).get("/files/resumables", null);
        assertThat(unauthenticated.status()).as(unauthenticated.body()).isEqualTo(401);
        assertThat(http.get("/files/resumables", app.token("still-open", "still-open-group")).status())
                .isEqualTo(200);
    }

    // ---- what it serves ----

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/pprof", "/pprof?state=blocked", "/pprof?duration=1"})
    void theCpuProfilerIsNotServedByDefault(String path) {
        Reply profile = admin().get(path, null);

        assertThat(profile.status()).as(profile.body()).isEqualTo(404);
    }

    @Test
    void theAdminMenuDoesNotOfferTheProfilerButTheRest() {
        Reply menu = admin().get("/", null);

        assertThat(menu.status()).isEqualTo(200);
        assertThat(menu.body()).contains("/healthcheck", "/metrics", "/threads").doesNotContain("/pprof");
    }

    /** The switch works the other way too: with {@code adminPort.profiler: true} it profiles. */
    @Test
    void theCpuProfilerIsServedWhenConfigured() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("profiler-on"));
        try (TestDatabase database = TestDatabase.h2(dir);
             TestApp withProfiler = TestApp.start(database, dir.resolve("storage"),
                     ConfigOverride.config("adminPort.profiler", "true"))) {

            Reply profile = new Http(withProfiler.adminUrl()).get("/pprof?duration=1", null);

            assertThat(profile.status()).as(profile.body()).isEqualTo(200);
            assertThat(profile.headers().get("content-type")).containsExactly("pprof/raw");
        }
    }

    // ---- config.yml, as shipped ----

    @Test
    void configYmlBindsTheAdminPortToLoopbackAndLeavesTheProfilerOff() throws Exception {
        UploadServiceConfiguration config = configYml(Map.of());

        assertThat(adminConnector(config).getBindHost()).isEqualTo("127.0.0.1");
        assertThat(appConnector(config).getBindHost()).as("application port: every interface").isNull();
        assertThat(config.adminPort().profiler()).isFalse();
    }

    @Test
    void configYmlTakesTheAdminBindHostAndTheProfilerFromTheEnvironment() throws Exception {
        UploadServiceConfiguration config = configYml(Map.of("ADMIN_BIND_HOST", "0.0.0.0", "ADMIN_PROFILER", "true"));

        assertThat(adminConnector(config).getBindHost()).isEqualTo("0.0.0.0");
        assertThat(config.adminPort().profiler()).isTrue();
    }

    /** An unquoted empty value would be YAML null, which Jetty takes for every interface. */
    @Test
    void anEmptyAdminBindHostStillMeansLoopback() throws Exception {
        String host = adminConnector(configYml(Map.of("ADMIN_BIND_HOST", ""))).getBindHost();

        assertThat(host).isNotNull();
        // what Jetty's ServerConnector binds for a non-null host
        assertThat(new InetSocketAddress(host, 0).getAddress().isLoopbackAddress()).isTrue();
    }

    // ---- helpers ----

    private int adminPort() {
        return URI.create(app.adminUrl()).getPort();
    }

    private int appPort() {
        return URI.create(app.baseUrl()).getPort();
    }

    private Http admin() {
        return new Http(app.adminUrl());
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
        }
    }

    /** An address of this machine's own that is not loopback (IPv4 first); skips the test if there is none. */
    private static InetAddress nonLoopbackAddress() {
        Optional<InetAddress> found;
        try {
            found = NetworkInterface.networkInterfaces()
                    .filter(AdminPortBindingTest::isUp)
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
                    .min(Comparator.comparingInt(a -> a instanceof Inet4Address ? 0 : 1));
        } catch (SocketException e) {
            found = Optional.empty();
        }
        assumeTrue(found.isPresent(), "SKIPPED: this machine has no non-loopback address, so a connection "
                + "from another interface to the admin port cannot be tried");
        return found.get();
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static String literal(InetAddress address) {
        String host = address.getHostAddress();
        if (address instanceof Inet6Address) {
            int scope = host.indexOf('%');
            return "[" + (scope < 0 ? host : host.substring(0, scope)) + "]";
        }
        return host;
    }

    /** config.yml as the server reads it, with {@code env} as the only environment variables. */
    private static UploadServiceConfiguration configYml(Map<String, String> env) throws Exception {
        return new YamlConfigurationFactory<>(UploadServiceConfiguration.class, Validators.newValidator(),
                Jackson.newObjectMapper(), "config-yml-test")
                .build(new SubstitutingSourceProvider(new FileConfigurationSourceProvider(), new StringSubstitutor(env)),
                        "config.yml");
    }

    private static HttpConnectorFactory adminConnector(UploadServiceConfiguration config) {
        return (HttpConnectorFactory) ((DefaultServerFactory) config.getServerFactory()).getAdminConnectors().get(0);
    }

    private static HttpConnectorFactory appConnector(UploadServiceConfiguration config) {
        return (HttpConnectorFactory) ((DefaultServerFactory) config.getServerFactory()).getApplicationConnectors()
                .get(0);
    }
}
