//! `healthcheck`: exits 0 when the service in this container answers `/health` with 200.
//! Images run it as their health check (no curl needed); see `deploy_worker::healthcheck`.

fn main() -> std::process::ExitCode {
    deploy_worker::healthcheck::main()
}
