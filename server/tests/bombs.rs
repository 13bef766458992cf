//! 1 GiB decompression bombs in every Content-Encoding get 413, and the server's memory grows by
//! no more than a small multiple of the limit while refusing them. Its own test binary, so no
//! other test shares the process whose peak memory it reads.

use protocol::ids::PublicKey;
use server::config::Settings;
use server::startup::Application;
use std::io::Write;
use std::path::Path;

const GIB: usize = 1 << 30;
const MIB: usize = 1 << 20;

/// 1 GiB of zeros through `encoder`, which compresses it to a few MB or less.
fn bomb<W: Write>(mut encoder: W) -> W {
    let zeros = vec![0u8; MIB];
    for _ in 0..GIB / MIB {
        encoder.write_all(&zeros).expect("compress");
    }
    encoder
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

#[tokio::test]
async fn decompression_bombs_are_refused_with_413_in_bounded_memory() {
    let data = tempfile::tempdir().expect("data dir");
    let mut settings = Settings::from_defaults();
    settings.host = Some([127, 0, 0, 1].into());
    settings.port = Some(0);
    settings.data_dir = data.path().to_path_buf();
    settings.leptos_config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
    let limit = settings.max_envelope_bytes;
    let app = Application::build(settings).await.expect("builds");
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
