package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.provisioning.enrol.ClaimConfig;
import io.meterlink.provisioning.enrol.EnrolmentService;
import io.meterlink.provisioning.identity.InstalledCertificate;
import io.meterlink.provisioning.secret.ProvisioningException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code meterlink provision enrol --claim-config F}: get this gateway's certificate from the utility's
 * provisioning service with the shared claim credential, then install it. Exit 2 for a refusal (bad
 * claim file, credential or ACL refused, gateway not on the allow-list), 3 when the broker cannot be
 * reached or does not answer in time.
 */
@Command(name = "enrol", aliases = "enroll", mixinStandardHelpOptions = true,
        description = {"Enrol online: get this gateway's certificate from the utility's provisioning service with the claim credential.",
                "The CSR goes out, the certificate comes back, is checked and installed.",
                "'meterlink run --claim-config F' does the same on start when no certificate is installed yet."})
final class ProvisionEnrolCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ProvisionCommand.StateDirOption state;
    @Option(names = "--claim-config", required = true, paramLabel = "FILE", description = "the claim configuration (e.g. /etc/meterlink/claim.yaml)")
    Path claimConfig;

    @Override public Integer call() {
        ClaimConfig claim;
        try {
            claim = ClaimConfig.load(claimConfig);
        } catch (ConfigException e) {
            return ConfigErrors.print(e, spec.commandLine().getErr());
        }
        try {
            InstalledCertificate r = new EnrolmentService(state.identities(), Clock.systemUTC()).enrol(claim);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Enrolled: installed " + r.file() + ": " + r.subject() + ", issued by " + r.issuer() + ", valid until " + r.notAfter());
            out.println("SHA-256 " + r.sha256());
            out.flush();
            return Main.OK;
        } catch (ProvisioningException e) {
            return ProvisionCommand.fail(e, spec.commandLine().getErr());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.FAILURE;
        }
    }
}
