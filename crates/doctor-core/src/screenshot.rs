//! Screenshots for support, whatever way they arrive (captured, pasted, dropped, chosen
//! or annotated): only PNG and JPEG that really decode are accepted, images wider than
//! 3840 px are scaled down for the bundle (the original is kept when asked), and each is
//! saved as PNG in the draft folder at once.

use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Widest image put into a bundle; wider ones are scaled down.
pub const MAX_WIDTH: u32 = 3840;
/// Decoding limits, so a hostile file cannot ask for gigabytes.
const MAX_SIDE: u32 = 20_000;
const MAX_ALLOC: u64 = 512 << 20;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredImage {
    /// The PNG that goes into the bundle.
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    /// The size before scaling down, when it was scaled.
    pub scaled_from: Option<(u32, u32)>,
    /// The unscaled original, when it was kept.
    pub original: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScreenshotError {
    #[error("not a PNG or JPEG image")]
    NotImage,
    #[error("the image is damaged: {0}")]
    Broken(String),
    #[error("could not save the image in {path}: {source}")]
    Save {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not a regular file of a readable size, outside the draft, or not there.
    #[error("the image could not be read: {0}")]
    Unreadable(String),
    /// Capturing the screen failed (no monitor, no permission).
    #[error("the screen could not be captured: {0}")]
    Capture(String),
}

impl ScreenshotError {
    pub fn message_key(&self) -> &'static str {
        match self {
            ScreenshotError::NotImage => "error.screenshot_not_image",
            ScreenshotError::Broken(_) => "error.screenshot_broken",
            ScreenshotError::Save { .. } => "error.draft",
            ScreenshotError::Unreadable(_) => "error.screenshot_unreadable",
            ScreenshotError::Capture(_) => "error.capture",
        }
    }
}

fn unique_name(dir: &Path, suffix: &str) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%3f");
    (0..)
        .map(|n| {
            if n == 0 {
                dir.join(format!("{stamp}{suffix}.png"))
            } else {
                dir.join(format!("{stamp}-{n}{suffix}.png"))
            }
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stamp}{suffix}.png")))
}

/// Checks, scales and saves an image given as bytes.
pub fn store(
    bytes: &[u8],
    dir: &Path,
    keep_original: bool,
) -> Result<StoredImage, ScreenshotError> {
    let format = image::guess_format(bytes).map_err(|_| ScreenshotError::NotImage)?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(ScreenshotError::NotImage);
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| ScreenshotError::Broken(e.to_string()))?;
    let save_err = |source| ScreenshotError::Save {
        path: dir.to_owned(),
        source,
    };
    crate::draft::create_private(dir).map_err(save_err)?;
    let (w, h) = (img.width(), img.height());
    let (img, scaled_from) = if w > MAX_WIDTH {
        let nh = ((u64::from(h) * u64::from(MAX_WIDTH)) / u64::from(w)).max(1) as u32;
        (
            img.resize_exact(MAX_WIDTH, nh, image::imageops::FilterType::Triangle),
            Some((w, h)),
        )
    } else {
        (img, None)
    };
    let original = if keep_original && scaled_from.is_some() {
        let p = unique_name(dir, "-original");
        std::fs::write(&p, bytes).map_err(save_err)?;
        Some(p)
    } else {
        None
    };
    let path = unique_name(dir, "");
    img.save_with_format(&path, image::ImageFormat::Png)
        .map_err(|e| save_err(std::io::Error::other(e)))?;
    Ok(StoredImage {
        path,
        width: img.width(),
        height: img.height(),
        scaled_from,
        original,
    })
}

/// Encodes raw RGBA pixels (4 bytes a pixel, rows top to bottom, as a screen capture or the
/// system clipboard gives them) as PNG, so they go through [`store`] like any other image.
/// A buffer whose size does not match the sides, an empty image or one beyond the decoding
/// limits is refused before anything is encoded.
pub fn rgba_to_png(width: u32, height: u32, rgba: Vec<u8>) -> Result<Vec<u8>, ScreenshotError> {
    if width == 0 || height == 0 {
        return Err(ScreenshotError::NotImage);
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ScreenshotError::Broken(format!(
            "{width}×{height} px is larger than {MAX_SIDE} px"
        )));
    }
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected {
        return Err(ScreenshotError::Broken(format!(
            "{} bytes of pixels for {width}×{height} px (expected {expected})",
            rgba.len()
        )));
    }
    let img = image::RgbaImage::from_raw(width, height, rgba)
        .ok_or_else(|| ScreenshotError::Broken("pixel buffer does not fit".into()))?;
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| ScreenshotError::Broken(e.to_string()))?;
    Ok(png)
}

/// Checks, scales and saves raw RGBA pixels (a pasted clipboard image, a capture) exactly as
/// [`store`] does with a file's bytes.
pub fn store_rgba(
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    dir: &Path,
) -> Result<StoredImage, ScreenshotError> {
    store(&rgba_to_png(width, height, rgba)?, dir, false)
}

/// Largest image file accepted from disk (a screenshot is a few MB; this leaves room).
const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads a regular file of at most `MAX_FILE_BYTES`, refusing FIFOs, devices and folders
/// before opening (so a FIFO cannot block the caller).
fn read_regular(path: &Path) -> Result<Vec<u8>, ScreenshotError> {
    use std::io::Read;
    let unreadable =
        |e: &dyn std::fmt::Display| ScreenshotError::Unreadable(format!("{}: {e}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&e))?;
    if !meta.is_file() {
        return Err(unreadable(&"not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(unreadable(&"larger than 64 MB"));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .map_err(|e| unreadable(&e))?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(unreadable(&"larger than 64 MB"));
    }
    Ok(bytes)
}

/// Copies an image file the user chose into `dir`, checked and scaled like any other.
pub fn import(path: &Path, dir: &Path) -> Result<StoredImage, ScreenshotError> {
    store(&read_regular(path)?, dir, false)
}

/// The bytes of an image stored in `dir`; anything outside `dir` (after resolving links
/// and `..`) is refused.
pub fn read_stored(dir: &Path, path: &Path) -> Result<Vec<u8>, ScreenshotError> {
    let inside = path
        .canonicalize()
        .ok()
        .zip(dir.canonicalize().ok())
        .is_some_and(|(p, d)| p.starts_with(d));
    if !inside {
        return Err(ScreenshotError::Unreadable(format!(
            "{}: not in the draft's screenshots",
            path.display()
        )));
    }
    read_regular(path)
}

/// Captures the monitor under `pointer` (or every monitor) and stores each image in `dir`.
/// Only with the `capture` feature (the app), so the CLI links no screen-capture library.
#[cfg(feature = "capture")]
pub fn capture(
    all: bool,
    pointer: Option<(i32, i32)>,
    dir: &Path,
) -> Result<Vec<StoredImage>, ScreenshotError> {
    capture_monitors(all, pointer)?
        .into_iter()
        .map(|img| store_rgba(img.width(), img.height(), img.into_raw(), dir))
        .collect()
}

/// The raw images of the monitor under `pointer` (the primary one when unknown) or of all.
#[cfg(feature = "capture")]
pub fn capture_monitors(
    all: bool,
    pointer: Option<(i32, i32)>,
) -> Result<Vec<image::RgbaImage>, ScreenshotError> {
    let err = |e: &dyn std::fmt::Display| ScreenshotError::Capture(e.to_string());
    let monitors = xcap::Monitor::all().map_err(|e| err(&e))?;
    let chosen: Vec<xcap::Monitor> = if all {
        monitors
    } else {
        let under = pointer.and_then(|(x, y)| xcap::Monitor::from_point(x, y).ok());
        match under {
            Some(m) => vec![m],
            None => monitors
                .into_iter()
                .find(|m| m.is_primary().unwrap_or(false))
                .into_iter()
                .collect(),
        }
    };
    if chosen.is_empty() {
        return Err(err(&"no monitor found"));
    }
    chosen
        .iter()
        .map(|m| m.capture_image().map_err(|e| err(&e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut img = image::RgbImage::new(w, h);
        for (x, y, p) in img.enumerate_pixels_mut() {
            *p = image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]);
        }
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_png_is_stored_as_is() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&png(640, 480), dir.path(), false).unwrap();
        assert_eq!((s.width, s.height, s.scaled_from), (640, 480, None));
        assert!(s.path.exists());
    }

    #[test]
    fn wide_images_are_scaled_to_3840_and_the_original_kept_on_request() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&png(5120, 1440), dir.path(), true).unwrap();
        assert_eq!((s.width, s.height), (3840, 1080));
        assert_eq!(s.scaled_from, Some((5120, 1440)));
        let original = s.original.unwrap();
        assert_eq!(image::image_dimensions(&original).unwrap(), (5120, 1440));
    }

    #[test]
    fn broken_and_foreign_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut broken = png(64, 64);
        broken.truncate(60);
        assert!(matches!(
            store(&broken, dir.path(), false),
            Err(ScreenshotError::Broken(_))
        ));
        assert!(matches!(
            store(b"%PDF-1.7 hello", dir.path(), false),
            Err(ScreenshotError::NotImage)
        ));
        assert!(matches!(
            store(b"GIF89a....", dir.path(), false),
            Err(ScreenshotError::NotImage)
        ));
        assert_eq!(
            std::fs::read_dir(dir.path())
                .map(|d| d.count())
                .unwrap_or(0),
            0
        );
    }

    #[test]
    fn only_images_inside_the_draft_are_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shots");
        let stored = store(&png(10, 10), &dir, false).unwrap();
        assert!(read_stored(&dir, &stored.path)
            .unwrap()
            .starts_with(b"\x89PNG"));
        let outside = tmp.path().join("secret.png");
        std::fs::write(&outside, png(2, 2)).unwrap();
        assert!(matches!(
            read_stored(&dir, &outside),
            Err(ScreenshotError::Unreadable(_))
        ));
        let sneaky = dir.join("..").join("secret.png");
        assert!(matches!(
            read_stored(&dir, &sneaky),
            Err(ScreenshotError::Unreadable(_))
        ));
    }

    /// A 3×2 RGBA image with a distinct, half-transparent pixel at each place.
    fn rgba_3x2() -> Vec<u8> {
        (0..6u8)
            .flat_map(|i| [i * 40, 255 - i * 40, i * 7, 128 + i])
            .collect()
    }

    #[test]
    fn rgba_pixels_become_a_png_with_the_same_pixels() {
        let png = rgba_to_png(3, 2, rgba_3x2()).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let back = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgba8();
        assert_eq!((back.width(), back.height()), (3, 2));
        assert_eq!(
            back.into_raw(),
            rgba_3x2(),
            "pixels or alpha changed on the way"
        );
    }

    #[test]
    fn rgba_of_the_wrong_size_or_empty_is_refused() {
        let mut short = rgba_3x2();
        short.pop();
        assert!(matches!(
            rgba_to_png(3, 2, short),
            Err(ScreenshotError::Broken(_))
        ));
        assert!(matches!(
            rgba_to_png(2, 3, [rgba_3x2(), vec![0; 4]].concat()),
            Err(ScreenshotError::Broken(_))
        ));
        assert!(matches!(
            rgba_to_png(0, 0, Vec::new()),
            Err(ScreenshotError::NotImage)
        ));
        // Beyond the decoding limit: refused before a byte is encoded (the buffer is tiny).
        assert!(matches!(
            rgba_to_png(MAX_SIDE + 1, 1, vec![0; 4]),
            Err(ScreenshotError::Broken(_))
        ));
    }

    #[test]
    fn pasted_pixels_are_stored_and_scaled_like_any_image() {
        let dir = tempfile::tempdir().unwrap();
        let s = store_rgba(3, 2, rgba_3x2(), dir.path()).unwrap();
        assert_eq!((s.width, s.height, s.scaled_from), (3, 2, None));
        assert_eq!(image::image_dimensions(&s.path).unwrap(), (3, 2));
        let wide = store_rgba(4000, 10, vec![200; 4000 * 10 * 4], dir.path()).unwrap();
        assert_eq!(
            (wide.width, wide.scaled_from),
            (MAX_WIDTH, Some((4000, 10)))
        );
    }

    #[test]
    fn import_refuses_what_is_not_a_regular_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shots");
        assert!(matches!(
            import(tmp.path(), &dir),
            Err(ScreenshotError::Unreadable(_))
        ));
        let file = tmp.path().join("a.png");
        std::fs::write(&file, png(3, 3)).unwrap();
        assert_eq!(import(&file, &dir).unwrap().width, 3);
    }
}
