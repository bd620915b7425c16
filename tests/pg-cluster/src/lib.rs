//! # syncer-pg-cluster
//!
//! A real PostgreSQL server for the tests that need shared state: [`PgCluster::start`] runs
//! `initdb` in a scratch directory and starts `postgres` on a free port of 127.0.0.1, with
//! password authentication, and removes everything when dropped. It can be stopped and started
//! again on the same port ([`PgCluster::stop`], [`PgCluster::restart`]) to test an unreachable
//! database.
//!
//! `initdb` refuses to run as root: under root the cluster runs as the `postgres` user the
//! Debian package creates (or `nobody`). The server's binaries are found through
//! `SYNCER_PG_BIN`, `pg_config --bindir`, `/usr/lib/postgresql/<version>/bin` (newest first) or
//! `PATH`. When none is found, [`PgCluster::start`] fails with [`PgClusterError::NotInstalled`],
//! whose message says how to install it; [`PgCluster::start_or_explain`] turns that into a
//! panic in CI (`SYNCER_REQUIRE_POSTGRES=1`, set by the test script) and into a skip notice on a
//! developer machine. [`PgCluster::start_tls`] starts one that serves TLS too, with a
//! certificate for the name `localhost` (not the address `127.0.0.1`) signed by a CA made on the spot
//! ([`PgCluster::ca_file`]). It knows nothing of the syncer.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The role the tests connect as.
pub const USER: &str = "syncer";
/// That role's password (a test secret: tests check it never shows in output).
pub const PASSWORD: &str = "pg-test-password-7f3a";

/// Why a throwaway cluster could not be started.
#[derive(Debug, thiserror::Error)]
pub enum PgClusterError {
    /// No PostgreSQL server binaries on this machine.
    #[error(
        "PostgreSQL is not installed (no initdb/postgres found via SYNCER_PG_BIN, pg_config, \
         /usr/lib/postgresql/*/bin or PATH): install it (Debian/Ubuntu: `sudo apt-get install -y \
         postgresql`) or run the whole suite with `./tests/run`, which installs it"
    )]
    NotInstalled,
    /// A command of the cluster's set-up failed.
    #[error("{command} failed: {detail}")]
    Command {
        /// What was run.
        command: String,
        /// Its exit status and output.
        detail: String,
    },
    /// A file-system or process error.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The test certificates could not be made.
    #[error("cannot make the test certificates: {0}")]
    Certificate(#[from] rcgen::Error),
}

/// A running (or stopped) throwaway PostgreSQL server.
pub struct PgCluster {
    bin: PathBuf,
    /// Holds the data directory, the socket directory and the log.
    scratch: tempfile::TempDir,
    port: u16,
    /// `Some(user)` when the server runs as another (unprivileged) user.
    run_as: Option<String>,
    running: bool,
    /// Whether the server serves TLS (`server.crt`/`server.key` in the data directory).
    tls: bool,
}

impl PgCluster {
    /// Creates and starts a cluster on a free port.
    pub fn start() -> Result<Self, PgClusterError> {
        Self::start_with(false)
    }

    /// Creates and starts a cluster that also serves TLS (clients may still connect without);
    /// its CA certificate is [`PgCluster::ca_file`].
    pub fn start_tls() -> Result<Self, PgClusterError> {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> Result<Self, PgClusterError> {
        let bin = find_bin().ok_or(PgClusterError::NotInstalled)?;
        let scratch = tempfile::Builder::new().prefix("syncer-pg-").tempdir()?;
        let run_as = if is_root()? {
            Some(unprivileged_user()?)
        } else {
            None
        };
        let cluster = Self {
            bin,
            scratch,
            port: free_port()?,
            run_as,
            running: false,
            tls,
        };
        cluster.init()?;
        let mut cluster = cluster;
        cluster.restart()?;
        Ok(cluster)
    }

    /// Starts a cluster, or, when PostgreSQL is not installed, panics with the way to install it
    /// if `SYNCER_REQUIRE_POSTGRES` is set (CI) and otherwise prints it and returns `None` (the
    /// test then has nothing to check on this machine).
    pub fn start_or_explain() -> Option<Self> {
        Self::explain(Self::start())
    }

    /// [`PgCluster::start_tls`], or the same explanation as [`PgCluster::start_or_explain`].
    pub fn start_tls_or_explain() -> Option<Self> {
        Self::explain(Self::start_tls())
    }

    fn explain(started: Result<Self, PgClusterError>) -> Option<Self> {
        match started {
            Ok(cluster) => Some(cluster),
            Err(PgClusterError::NotInstalled)
                if std::env::var_os("SYNCER_REQUIRE_POSTGRES").is_none() =>
            {
                eprintln!(
                    "SKIPPED (no PostgreSQL on this machine): {}",
                    PgClusterError::NotInstalled
                );
                None
            }
            Err(error) => panic!("cannot start a throwaway PostgreSQL: {error}"),
        }
    }

    /// The PEM file of the CA that signed the server's certificate (when started with TLS; the
    /// file does not exist otherwise).
    pub fn ca_file(&self) -> PathBuf {
        self.scratch.path().join("ca.pem")
    }

    /// The port the server listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for database `database` on host `localhost` (the name the TLS
    /// certificate is issued for).
    pub fn url_by_name(&self, database: &str) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@localhost:{}/{database}",
            self.port
        )
    }

    /// A connection URL for database `database` (see [`PgCluster::create_database`]).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// Creates an empty database owned by [`USER`].
    pub fn create_database(&self, database: &str) -> Result<(), PgClusterError> {
        let createdb = self.bin.join("createdb");
        let mut command = Command::new(createdb);
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
            .arg(database)
            .env("PGPASSWORD", PASSWORD);
        run(&mut command, "createdb")
    }

    /// Stops the server at once (as a crash or an unplugged database would look to clients).
    pub fn stop(&mut self) -> Result<(), PgClusterError> {
        if !self.running {
            return Ok(());
        }
        let data = self.data_dir();
        let mut command = self.as_owner(&self.bin.join("pg_ctl"));
        command
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"]);
        run(&mut command, "pg_ctl stop")?;
        self.running = false;
        Ok(())
    }

    /// Starts the server again on the same port and data.
    pub fn restart(&mut self) -> Result<(), PgClusterError> {
        if self.running {
            return Ok(());
        }
        // `fsync=off` only risks data when the machine itself crashes; `synchronous_commit`
        // stays on, so a commit survives `stop` (an immediate stop, like a killed server).
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c full_page_writes=off -c max_connections=200",
            self.port,
            self.socket_dir().display()
        );
        if self.tls {
            // Relative to the data directory, where `init` wrote them.
            options.push_str(" -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key");
        }
        let mut command = self.as_owner(&self.bin.join("pg_ctl"));
        command
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.scratch.path().join("server.log"))
            .args(["-o", &options, "-w", "-t", "60", "start"]);
        run(&mut command, "pg_ctl start")?;
        self.running = true;
        Ok(())
    }

    fn data_dir(&self) -> PathBuf {
        self.scratch.path().join("data")
    }

    fn socket_dir(&self) -> PathBuf {
        self.scratch.path().to_path_buf()
    }

    fn init(&self) -> Result<(), PgClusterError> {
        let password_file = self.scratch.path().join("password");
        std::fs::write(&password_file, PASSWORD)?;
        if let Some(user) = &self.run_as {
            let mut chown = Command::new("chown");
            chown.arg("-R").arg(user).arg(self.scratch.path());
            run(&mut chown, "chown")?;
        }
        let mut command = self.as_owner(&self.bin.join("initdb"));
        command
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", USER, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"])
            .arg(format!("--pwfile={}", password_file.display()));
        run(&mut command, "initdb")?;
        if self.tls {
            self.write_certificates()?;
        }
        Ok(())
    }

    /// A CA (`ca.pem` in the scratch directory) and the server's certificate and key for
    /// `localhost` (not `127.0.0.1`: a client connecting by address sees a name mismatch),
    /// signed by it, in the data directory (the key readable by
    /// its owner only, as the server demands).
    fn write_certificates(&self) -> Result<(), PgClusterError> {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "syncer-pg-cluster test CA");
        let ca_certificate = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate()?;
        let mut server = CertificateParams::new(vec!["localhost".to_owned()])?;
        server
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_certificate = server.signed_by(&server_key, &issuer)?;
        std::fs::write(self.ca_file(), ca_certificate.pem())?;
        let data = self.data_dir();
        std::fs::write(data.join("server.crt"), server_certificate.pem())?;
        let key_file = data.join("server.key");
        std::fs::write(&key_file, server_key.serialize_pem())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))?;
        if let Some(user) = &self.run_as {
            let mut chown = Command::new("chown");
            chown.arg(user).arg(data.join("server.crt")).arg(&key_file);
            run(&mut chown, "chown")?;
        }
        Ok(())
    }

    /// A command that runs `program` as the cluster's owner.
    fn as_owner(&self, program: &Path) -> Command {
        match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), PgClusterError> {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output()?;
    if status.success() {
        return Ok(());
    }
    Err(PgClusterError::Command {
        command: what.to_owned(),
        detail: format!(
            "{status}: {}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    })
}

/// The directory holding `initdb`, `pg_ctl`, `postgres` and `createdb`.
fn find_bin() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("SYNCER_PG_BIN").map(PathBuf::from) {
        return has_server(&dir).then_some(dir);
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_server(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).find(|dir| has_server(dir) && dir.join("createdb").is_file())
    })
}

fn is_root() -> Result<bool, PgClusterError> {
    let output = Command::new("id").arg("-u").output()?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// The user a root-started cluster runs as: `postgres` when the package made it, else `nobody`.
fn unprivileged_user() -> Result<String, PgClusterError> {
    for user in ["postgres", "nobody"] {
        if Command::new("id")
            .arg("-u")
            .arg(user)
            .output()?
            .status
            .success()
        {
            return Ok(user.to_owned());
        }
    }
    Err(PgClusterError::Command {
        command: "id".to_owned(),
        detail: "initdb refuses to run as root and there is no `postgres` or `nobody` user"
            .to_owned(),
    })
}

fn free_port() -> Result<u16, PgClusterError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_accepts_a_database_stops_and_starts_again() {
        let Some(mut cluster) = PgCluster::start_or_explain() else {
            return;
        };
        cluster.create_database("probe").expect("createdb");
        assert!(std::net::TcpStream::connect(("127.0.0.1", cluster.port())).is_ok());
        cluster.stop().expect("stop");
        assert!(std::net::TcpStream::connect(("127.0.0.1", cluster.port())).is_err());
        cluster.restart().expect("restart");
        cluster
            .create_database("again")
            .expect("createdb after restart");
        assert!(cluster.url("probe").contains(&cluster.port().to_string()));
    }
}
