// Adds (or resets) a SCRAM-SHA-512 user of the local broker, through its plaintext listener:
// java -cp '<kafka libs>/*' ScramUser.java BOOTSTRAP USER PASSWORD_FILE
// (the broker jars carry no ConfigCommand; the Admin API is what it would call). The password is
// read from a file so that it never appears on a command line.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public class ScramUser {
  public static void main(String[] args) throws Exception {
    Properties properties = new Properties();
    properties.put("bootstrap.servers", args[0]);
    String password = Files.readString(Path.of(args[2])).trim();
    try (Admin admin = Admin.create(properties)) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(args[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all().get();
    }
  }
}
