//! The HTML report, rendered by a real headless browser (Debian's chromium): the screenshot
//! must show the page, not a blank or an error page. CI installs chromium (.ci/run); on a
//! machine without it the test says so and passes, unless CI is set.

mod common;

use std::path::Path;
use std::process::Command;

use common::craft::{boolean_file, boolean_page, Claims};
use common::{code, run, stderr, temp_dir};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Pixels of the screenshot that are not near-white, and those that are the verdict's red.
fn ink(png_path: &Path) -> (usize, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let pixels = buffer[..info.buffer_size()].chunks(channels);
    let (mut ink, mut red) = (0, 0);
    for p in pixels {
        let (r, g, b) = (p[0], p[1], p[2]);
        ink += usize::from(r < 200 || g < 200 || b < 200);
        red += usize::from(r > 150 && g < 60 && b < 60);
    }
    (ink, red)
}

#[test]
fn the_html_report_renders_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have chromium: .ci/run installs it"
        );
        eprintln!("note: no chromium on this machine; the HTML rendering test did not run");
        return;
    };
    let dir = temp_dir();
    let labels: Vec<bool> = (0..200).map(|i| i % 3 == 0).collect();
    let pages: Vec<_> = labels.chunks(37).map(boolean_page).collect();
    let parquet = dir.path().join("f.parquet");
    let claims = Claims {
        file_rows: None,
        statistics: None,
        created_by: None,
        row_group_rows: None,
        legacy_statistics: None,
    };
    std::fs::write(&parquet, boolean_file(&pages, &claims)).unwrap();
    let mut dump = String::from("label\n");
    for (row, label) in labels.iter().enumerate() {
        dump.push_str(&format!(
            "{}\n",
            if row % 50 == 5 { !label } else { *label }
        ));
    }
    let csv = dir.path().join("f.csv");
    std::fs::write(&csv, dump).unwrap();
    let html = dir.path().join("report.html");
    let output = run([
        "diff",
        parquet.to_str().unwrap(),
        "--against",
        csv.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<svg") && text.contains("MISMATCH"), "{text}");
    // Self-contained: the only URL is the SVG namespace, which is a name, not a fetch.
    let namespaces = text.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(
        text.matches("http").count(),
        namespaces,
        "no network references"
    );
    assert!(
        !text.contains("<script") && !text.contains("src="),
        "self-contained, no network"
    );

    let screenshot = dir.path().join("report.png");
    let profile = dir.path().join("profile");
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        screenshot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (ink, red) = ink(&screenshot);
    assert!(ink > 20_000, "the page looks blank: {ink} inked pixels");
    assert!(
        red > 500,
        "the red MISMATCH verdict and the chart's marks are missing: {red} red pixels"
    );
}
