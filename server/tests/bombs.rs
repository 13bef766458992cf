//! 1 GiB decompression bombs in every Content-Encoding get 413, and the server's memory grows by
//! no more than a small multiple of the limit while refusing them; bombs that name no key are
//! refused after their first line, inflating nothing more. Its own test binary, so no other test
//! shares the process whose peak memory it reads (the two tests run one after the other).

use protocol::ids::PublicKey;
use server::config::Settings;
use server::startup::Application;
use std::io::Write;
use std::path::Path;

const GIB: usize = 1 << 30;
const MIB: usize = 1 << 20;

/// `head`, then 1 GiB of zeros through `encoder`, which compresses it to a few MB or less.
fn bomb_after<W: Write>(mut encoder: W, head: &[u8]) -> W {
    encoder.write_all(head).expect("compress");
    let zeros = vec![0u8; MIB];
    for _ in 0..GIB / MIB {
        encoder.write_all(&zeros).expect("compress");
    }
    encoder
}

fn bomb<W: Write>(encoder: W) -> W {
    bomb_after(encoder, b"")
}

fn bombs() -> Vec<(&'static str, Vec<u8>)> {
    let gzip = bomb(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    let deflate = bomb(flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast()));
    let mut br = Vec::new();
    drop(bomb(brotli::CompressorWriter::new(&mut br, 1 << 16, 1, 22)));
    let zstd = bomb(zstd::Encoder::new(Vec::new(), 1).expect("zstd"));
    vec![
        ("gzip", gzip.finish().expect("gzip")),
        ("deflate", deflate.finish().expect("deflate")),
        ("br", br),
        ("zstd", zstd.finish().expect("zstd")),
    ]
}

/// (current, peak) resident memory of this process, in bytes.
fn memory() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches(" kB").trim().parse::<usize>().ok())
            .expect("a memory field")
            * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak resident size");
}

/// One test at a time: each reads the process's peak memory.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start(data: &Path) -> (Application, usize) {
    let mut settings = Settings::from_defaults();
    settings.host = Some([127, 0, 0, 1].into());
    settings.port = Some(0);
    settings.data_dir = data.to_path_buf();
    settings.leptos_config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    let limit = settings.max_envelope_bytes;
    (Application::build(settings).await.expect("builds"), limit)
}

#[tokio::test]
async fn decompression_bombs_are_refused_with_413_in_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let data = tempfile::tempdir().expect("data dir");
    let (app, limit) = start(data.path()).await;
    let project = app.default_project().clone();
    let url = format!(
        "http://{}/api/{}/envelope/?sentry_key={}",
        app.local_addr(),
        project.project_id,
        project.public_key.as_str()
    );
    assert!(PublicKey::parse(project.public_key.as_str()).is_ok());
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();

    for (encoding, body) in bombs() {
        let compressed = body.len();
        let (before, _) = memory();
        reset_peak();
        let response = client.post(&url).header("content-encoding", encoding).body(body).send().await.expect("sent");
        let (_, peak) = memory();
        let growth = peak.saturating_sub(before);
        eprintln!(
            "{encoding}: 1 GiB bomb, {} KiB on the wire, answered {}, peak memory growth {} MiB (limit {} MiB)",
            compressed / 1024,
            response.status(),
            growth / MIB,
            limit / MIB
        );
        assert_eq!(response.status(), 413, "{encoding}");
        assert!(growth < 3 * limit, "{encoding}: memory grew by {} MiB", growth / MIB);
    }
}

#[tokio::test]
async fn bombs_that_name_no_key_are_refused_after_their_first_line() {
    let _serial = SERIAL.lock().await;
    let data = tempfile::tempdir().expect("data dir");
    let (app, _) = start(data.path()).await;
    let url = format!("http://{}/api/{}/envelope/", app.local_addr(), app.default_project().project_id);
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let head = b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\"}\n";
    let keyless = bomb_after(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()), head)
        .finish()
        .expect("gzip");
    let headerless =
        bomb(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast())).finish().expect("gzip");

    let on_wire = keyless.len().max(headerless.len());
    let bodies: Vec<Vec<u8>> = (0..8).map(|n| if n % 2 == 0 { keyless.clone() } else { headerless.clone() }).collect();

    let (before, _) = memory();
    reset_peak();
    let sent = bodies.into_iter().map(|body| client.post(&url).header("content-encoding", "gzip").body(body).send());
    let statuses: Vec<u16> =
        futures::future::join_all(sent).await.into_iter().map(|sent| sent.expect("sent").status().as_u16()).collect();
    let (_, peak) = memory();
    let growth = peak.saturating_sub(before);
    eprintln!(
        "8 keyless 1 GiB gzip bombs, {} KiB each on the wire: answered {statuses:?}, peak memory growth {} MiB",
        on_wire / 1024,
        growth / MIB
    );
    assert_eq!(statuses, [401, 413, 401, 413, 401, 413, 401, 413], "no key: 401; no header line in 64 KiB: 413");
    // What arrived is held while it is read; inflating even one bomb to the limit would be 100 MiB.
    let budget = 8 * on_wire + 32 * MIB;
    assert!(growth < budget, "memory grew by {} MiB: the bombs were inflated", growth / MIB);
}
