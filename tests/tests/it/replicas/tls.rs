//! TLS to the shared state, with libpq's `sslmode` meanings: `require` encrypts, `verify-ca`
//! checks the chain, `verify-full` the chain and the name, `sslrootcert` adds the operator's CA.
//! The throwaway server's certificate names `localhost` only, so connecting by `127.0.0.1`
//! is a name mismatch.

use syncer_pg_cluster::PgCluster;

use super::{cli, shared_config, Replica};
use crate::common::{query_count, Scratch};

/// A TLS-serving cluster with database `syncer`, and its URLs by address and by name.
fn tls_database() -> Option<(PgCluster, String, String)> {
    let cluster = PgCluster::start_tls_or_explain()?;
    cluster.create_database("syncer").expect("createdb");
    let by_address = cluster.url("syncer");
    let by_name = cluster.url_by_name("syncer");
    Some((cluster, by_address, by_name))
}

fn root_cert(cluster: &PgCluster) -> String {
    cluster.ca_file().display().to_string()
}

async fn runs(scratch: &Scratch, url: &str) -> crate::common::Outcome {
    cli(scratch, url, "r1", &["runs", "acme-dt", "--json"]).await
}

#[tokio::test]
async fn verify_full_with_the_operators_ca_connects_and_every_connection_is_encrypted() {
    let Some((cluster, by_address, by_name)) = tls_database() else {
        return;
    };
    let scratch = Scratch::new();
    scratch.write_config(&shared_config("http://127.0.0.1:9", "is_enabled = false"));
    let url = format!(
        "{by_name}?sslmode=verify-full&sslrootcert={}",
        root_cert(&cluster)
    );
    let outcome = runs(&scratch, &url).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());

    // A replica keeps its connections open: every one of them is TLS.
    let replica = Replica::start(&scratch, &url, "r1").await;
    let (status, _) = replica.get("/healthz").await;
    assert_eq!(status, 200);
    let sql = "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
               WHERE a.application_name = 'syncer-host' AND {}";
    assert!(query_count(&by_address, &sql.replace("{}", "s.ssl")).await >= 1);
    assert_eq!(
        query_count(&by_address, &sql.replace("{}", "NOT s.ssl")).await,
        0
    );
}

#[tokio::test]
async fn a_certificate_of_an_unknown_ca_or_for_another_name_is_refused_in_plain_words() {
    let Some((cluster, by_address, by_name)) = tls_database() else {
        return;
    };
    let scratch = Scratch::new();
    scratch.write_config(&shared_config("http://127.0.0.1:9", "is_enabled = false"));

    // The public roots do not know the test CA.
    let outcome = runs(&scratch, &format!("{by_name}?sslmode=verify-full")).await;
    assert_ne!(outcome.code, 0, "{}", outcome.all());
    assert!(
        outcome.stderr.contains("certificate"),
        "the error says it is the certificate: {}",
        outcome.stderr
    );

    // The CA is right but the certificate names `localhost`, not 127.0.0.1.
    let ca = root_cert(&cluster);
    let outcome = runs(
        &scratch,
        &format!("{by_address}?sslmode=verify-full&sslrootcert={ca}"),
    )
    .await;
    assert_ne!(outcome.code, 0, "{}", outcome.all());
    assert!(outcome.stderr.contains("certificate"), "{}", outcome.stderr);

    // verify-ca checks the chain only; require only encrypts.
    for url in [
        format!("{by_address}?sslmode=verify-ca&sslrootcert={ca}"),
        format!("{by_address}?sslmode=require"),
    ] {
        let outcome = runs(&scratch, &url).await;
        assert_eq!(outcome.code, 0, "{url}: {}", outcome.all());
    }
}

#[tokio::test]
async fn a_tls_mode_against_a_server_without_tls_fails_and_the_default_falls_back_to_plain() {
    let Some((_cluster, url)) = crate::common::postgres_database() else {
        return;
    };
    let scratch = Scratch::new();
    scratch.write_config(&shared_config("http://127.0.0.1:9", "is_enabled = false"));
    let outcome = runs(&scratch, &format!("{url}?sslmode=require")).await;
    assert_ne!(outcome.code, 0, "{}", outcome.all());
    // `prefer`, the default: TLS when the server offers it, plain otherwise (as libpq).
    let outcome = runs(&scratch, &url).await;
    assert_eq!(outcome.code, 0, "{}", outcome.all());
}
