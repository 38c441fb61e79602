//! `cargo xtask dist`: unpacked `DIR/chrome` and `DIR/firefox` plus `DIR/session-drop-chrome.zip`
//! and `DIR/session-drop-firefox.xpi`, from `extension/` and one `manifest.base.json`
//! (transformed per browser as `extension/BUILD-CONTRACT.md` says). With `--update-base`, also
//! the packages an organisation hosts and installs by policy (see [`release_packages`]).

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use session_drop::server::ServerUrl;
use std::fs;
use std::path::{Path, PathBuf};
pub use xtask::identity::{chrome_extension_id as extension_id, CHROME_EXTENSION_ID, GECKO_ID};
use xtask::release;

/// First Firefox with `data_collection_permissions` (lints clean from 142 on).
pub const FIREFOX_STRICT_MIN_VERSION: &str = "142.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Chrome,
    Firefox,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::Chrome, Target::Firefox];
    pub fn dir_name(self) -> &'static str {
        match self {
            Target::Chrome => "chrome",
            Target::Firefox => "firefox",
        }
    }
    pub fn package_name(self) -> &'static str {
        match self {
            Target::Chrome => "session-drop-chrome.zip",
            Target::Firefox => "session-drop-firefox.xpi",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DistOptions {
    pub server: Option<String>,
    /// (client id, client secret), only for demo/test builds.
    pub dev_credentials: Option<(String, String)>,
    pub out: Option<PathBuf>,
    /// Where the organisation hosts the packages (`--update-base URL`): turns on the release
    /// packages (CRX, updates.xml, xpi with `gecko.update_url`, updates.json).
    pub update_base: Option<String>,
    /// The organisation's Chrome signing key (`--key FILE`, PEM); default [`release::DEFAULT_KEY`].
    pub key: Option<PathBuf>,
}

/// The release packages written with `--update-base` (names in [`release`]).
#[derive(Debug, Clone)]
pub struct ReleaseOutput {
    pub update_base: ServerUrl,
    pub crx: PathBuf,
    pub updates_xml: PathBuf,
    pub updates_json: PathBuf,
    pub id_file: PathBuf,
    pub deploy_md: PathBuf,
    /// The Chrome / Edge extension id given by the key.
    pub chrome_id: String,
    pub key: PathBuf,
    /// The key did not exist and was created now.
    pub key_created: bool,
    pub version: String,
}

#[derive(Debug, Clone)]
pub struct DistOutput {
    pub out: PathBuf,
    pub chrome_dir: PathBuf,
    pub firefox_dir: PathBuf,
    pub chrome_zip: PathBuf,
    pub firefox_xpi: PathBuf,
    pub server: Option<ServerUrl>,
    pub release: Option<ReleaseOutput>,
}

impl DistOptions {
    /// Parses `--server URL --dev-credentials ID:SECRET --out DIR` (also `--opt=value`).
    pub fn from_args(args: &[String]) -> Result<DistOptions> {
        let mut o = DistOptions::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (a.as_str(), None),
            };
            let mut value = |name: &str| -> Result<String> {
                match inline.clone() {
                    Some(v) => Ok(v),
                    None => it
                        .next()
                        .cloned()
                        .with_context(|| format!("{name} needs a value")),
                }
            };
            match flag {
                "--server" => o.server = Some(value("--server")?),
                "--dev-credentials" => {
                    let v = value("--dev-credentials")?;
                    let Some((id, secret)) = v.split_once(':') else {
                        bail!("--dev-credentials takes ID:SECRET");
                    };
                    if id.is_empty() || secret.is_empty() {
                        bail!("--dev-credentials takes ID:SECRET (both non-empty)");
                    }
                    o.dev_credentials = Some((id.to_string(), secret.to_string()));
                }
                "--out" => o.out = Some(PathBuf::from(value("--out")?)),
                "--update-base" => o.update_base = Some(value("--update-base")?),
                "--key" => o.key = Some(PathBuf::from(value("--key")?)),
                other => bail!(
                    "unknown dist option {other:?} (usage: cargo xtask dist [--server URL] [--dev-credentials ID:SECRET] [--out DIR] [--update-base URL [--key FILE]])"
                ),
            }
        }
        Ok(o)
    }
}

/// Assembles the packages from `extension/` (the wasm must already be in `extension/wasm/`).
pub fn assemble(root: &Path, opts: &DistOptions) -> Result<DistOutput> {
    let server = match &opts.server {
        Some(s) => Some(ServerUrl::parse(s).with_context(|| format!("--server {s:?}"))?),
        None => None,
    };
    if opts.dev_credentials.is_some() && server.is_none() {
        bail!("--dev-credentials needs --server");
    }
    let update_base = match &opts.update_base {
        Some(u) => Some(ServerUrl::parse(u).with_context(|| {
            format!("--update-base {u:?} (https://, or http:// to a loopback address)")
        })?),
        None => None,
    };
    if opts.key.is_some() && update_base.is_none() {
        bail!("--key needs --update-base (the key signs the CRX written with it)");
    }
    if update_base.is_some() && opts.dev_credentials.is_some() {
        bail!("--dev-credentials is for test builds: a release (--update-base) gets its credentials by policy");
    }
    let ext = root.join("extension");
    let wasm = ext.join("wasm").join("session_drop_bg.wasm");
    if !wasm.exists() {
        bail!(
            "{} is missing: run `cargo xtask build` first",
            wasm.display()
        );
    }
    let base_path = ext.join("manifest.base.json");
    let base: Value = serde_json::from_str(
        &fs::read_to_string(&base_path)
            .with_context(|| format!("reading {}", base_path.display()))?,
    )
    .with_context(|| format!("parsing {}", base_path.display()))?;
    let key = fs::read_to_string(ext.join("chrome-key.pub.txt"))
        .context("reading extension/chrome-key.pub.txt")?
        .trim()
        .to_string();
    let id = extension_id(&key)?;
    if id != CHROME_EXTENSION_ID {
        bail!("extension/chrome-key.pub.txt gives the Chrome extension id {id}, but xtask and the docs expect {CHROME_EXTENSION_ID}: update CHROME_EXTENSION_ID in xtask/src/dist.rs if the key change was intended");
    }

    let out = match &opts.out {
        Some(o) if o.is_absolute() => o.clone(),
        Some(o) => std::env::current_dir()?.join(o),
        None => root.join("dist"),
    };
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    for f in CONTENT_CSS
        .iter()
        .chain([&BACKGROUND_ENTRY, &CONTENT_ENTRY])
    {
        if !ext.join(f).is_file() {
            bail!("extension/{f} is missing (named by the build contract)");
        }
    }
    let bundle = bundle_background(root, &out)?;
    let content_bundle = bundle_content(root, &out)?;
    for target in Target::ALL {
        let dir = out.join(target.dir_name());
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
        }
        copy_runtime_files(&ext, &dir)?;
        fs::copy(&bundle, dir.join(BACKGROUND)).context("copying the bundled background")?;
        fs::copy(&content_bundle, dir.join(CONTENT_BUNDLE))
            .context("copying the bundled content script")?;
        add_locale_aliases(&dir)?;
        let manifest = transform_manifest(&base, target, &key, server.as_ref())?;
        fs::write(
            dir.join("manifest.json"),
            serde_json::to_string_pretty(&manifest)? + "\n",
        )?;
        if let Some(s) = &server {
            let mut preset = Map::new();
            preset.insert("serverUrl".into(), json!(s.base()));
            if let Some((id, secret)) = &opts.dev_credentials {
                preset.insert("clientId".into(), json!(id));
                preset.insert("clientSecret".into(), json!(secret));
            }
            fs::write(
                dir.join("preset.json"),
                serde_json::to_string_pretty(&Value::Object(preset))? + "\n",
            )?;
        }
        if let (Target::Firefox, Some(u)) = (target, &update_base) {
            release::set_gecko_update_url(&dir, &u.url(&format!("/{}", release::UPDATES_JSON)))?;
        }
        let pkg = out.join(target.package_name());
        release::zip_dir(&dir, &pkg)?;
    }
    let _ = fs::remove_file(&bundle);
    let _ = fs::remove_file(&content_bundle);
    let release = match &update_base {
        Some(u) => Some(release_packages(
            root,
            &out,
            u,
            server.as_ref(),
            opts.key.as_deref(),
        )?),
        None => None,
    };
    Ok(DistOutput {
        chrome_dir: out.join("chrome"),
        firefox_dir: out.join("firefox"),
        chrome_zip: out.join(Target::Chrome.package_name()),
        firefox_xpi: out.join(Target::Firefox.package_name()),
        out,
        server,
        release,
    })
}

/// The packages an organisation hosts at `update_base` and installs by policy (issue 10):
/// `session-drop.crx` (Chromium's own `--pack-extension`, signed with the organisation's key,
/// created on first use), `updates.xml` (gupdate) pointing at it, `updates.json` pointing at the
/// xpi (whose `gecko.update_url` [`assemble`] already set), `extension-id.txt`, and
/// `DEPLOY.md` (docs/DEPLOY.md with this build's values filled in).
fn release_packages(
    root: &Path,
    out: &Path,
    update_base: &ServerUrl,
    server: Option<&ServerUrl>,
    key: Option<&Path>,
) -> Result<ReleaseOutput> {
    let chromium = Path::new(xtask::browsers::CHROMIUM);
    if !chromium.exists() {
        bail!(
            "{} is missing (it packs the CRX): run `cargo xtask setup`",
            chromium.display()
        );
    }
    let key_path = match key {
        Some(k) if k.is_absolute() => k.to_path_buf(),
        Some(k) => std::env::current_dir()?.join(k),
        None => root.join(release::DEFAULT_KEY),
    };
    if key.is_some() && !key_path.exists() {
        bail!(
            "--key {}: no such file (leave --key out to create the organisation's key in {})",
            key_path.display(),
            release::DEFAULT_KEY
        );
    }
    let (chrome_key, key_created) = release::ChromeKey::load_or_create(chromium, &key_path)?;
    let id = chrome_key.id();
    let chrome_dir = out.join(Target::Chrome.dir_name());
    let version = release::manifest_version(&chrome_dir)?;
    let updates_xml_url = update_base.url(&format!("/{}", release::UPDATES_XML));
    let crx = out.join(release::CRX_FILE);
    release::pack_crx(
        chromium,
        &chrome_dir,
        &chrome_key,
        Some(&updates_xml_url),
        &crx,
    )?;
    let updates_xml = out.join(release::UPDATES_XML);
    fs::write(
        &updates_xml,
        release::updates_xml(
            &id,
            &version,
            &update_base.url(&format!("/{}", release::CRX_FILE)),
        ),
    )?;
    let xpi_url = update_base.url(&format!("/{}", release::FIREFOX_XPI));
    let updates_json = out.join(release::UPDATES_JSON);
    fs::write(
        &updates_json,
        serde_json::to_string_pretty(&release::updates_json(GECKO_ID, &version, &xpi_url))? + "\n",
    )?;
    let id_file = out.join(release::ID_FILE);
    fs::write(&id_file, format!("{id}\n"))?;
    let deploy_md = out.join("DEPLOY.md");
    let template = fs::read_to_string(root.join("docs").join("DEPLOY.md"))
        .context("reading docs/DEPLOY.md (the deployment guide template)")?;
    let values = DeployValues {
        extension_id: id.clone(),
        gecko_id: GECKO_ID.to_string(),
        update_base: update_base.base(),
        updates_xml_url,
        xpi_url,
        server_url: server
            .map(|s| s.base())
            .unwrap_or_else(|| "https://pam.example.com".to_string()),
        version: version.clone(),
    };
    fs::write(&deploy_md, values.fill(&template))?;
    Ok(ReleaseOutput {
        update_base: update_base.clone(),
        crx,
        updates_xml,
        updates_json,
        id_file,
        deploy_md,
        chrome_id: id,
        key: key_path,
        key_created,
        version,
    })
}

/// The values `docs/DEPLOY.md` names as `{{name}}`, filled in by `dist --update-base`.
pub struct DeployValues {
    pub extension_id: String,
    pub gecko_id: String,
    pub update_base: String,
    pub updates_xml_url: String,
    pub xpi_url: String,
    pub server_url: String,
    pub version: String,
}

impl DeployValues {
    pub fn fill(&self, template: &str) -> String {
        [
            ("{{extension_id}}", &self.extension_id),
            ("{{gecko_id}}", &self.gecko_id),
            ("{{update_base}}", &self.update_base),
            ("{{updates_xml_url}}", &self.updates_xml_url),
            ("{{xpi_url}}", &self.xpi_url),
            ("{{server_url}}", &self.server_url),
            ("{{version}}", &self.version),
        ]
        .iter()
        .fold(template.to_string(), |t, (k, v)| t.replace(k, v))
    }
}

/// `extension/<entry>` and the modules it imports bundled by esbuild (not minified) into
/// `out/<name>`, as `format` ("esm" or "iife"); returns the bundle's text too.
fn esbuild_bundle(
    root: &Path,
    out: &Path,
    entry: &str,
    format: &str,
    name: &str,
) -> Result<(PathBuf, String)> {
    let esbuild = root.join("node_modules").join(".bin").join("esbuild");
    if !esbuild.exists() {
        bail!(
            "{} is missing: run `cargo xtask setup` (npm ci installs it)",
            esbuild.display()
        );
    }
    let bundle = out.join(name);
    let status = std::process::Command::new(&esbuild)
        .current_dir(root)
        .arg(Path::new("extension").join(entry))
        .args([
            "--bundle",
            &format!("--format={format}"),
            "--platform=browser",
            "--target=es2022",
            "--charset=utf8",
            "--legal-comments=none",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", bundle.display()))
        .status()
        .with_context(|| format!("running {}", esbuild.display()))?;
    if !status.success() {
        bail!("esbuild could not bundle extension/{entry} ({status})");
    }
    let text =
        fs::read_to_string(&bundle).with_context(|| format!("reading {}", bundle.display()))?;
    if text
        .lines()
        .any(|l| l.starts_with("import ") || l.starts_with("export "))
    {
        bail!("the bundle of extension/{entry} still imports or exports: it is not self-contained");
    }
    Ok((bundle, text))
}

/// The background and the modules it imports (lib/*.js, the wasm-bindgen glue) as one ES module:
/// a stopped service worker / suspended event page then loads one file instead of many before its
/// listeners exist. The pages keep importing the separate modules. Returns the bundle's path.
fn bundle_background(root: &Path, out: &Path) -> Result<PathBuf> {
    let (bundle, text) =
        esbuild_bundle(root, out, BACKGROUND_ENTRY, "esm", ".background.bundle.js")?;
    // It still finds its wasm next to it.
    if !text.contains("\"./wasm/session_drop_bg.wasm\"") {
        bail!("the bundled background does not load ./wasm/session_drop_bg.wasm");
    }
    Ok(bundle)
}

/// The console content script: `extension/content/main.js` and the ES modules it imports
/// (content/*, lib/report-text.js) as one classic script (an IIFE: content scripts cannot be
/// modules), written to the packages as [`CONTENT_BUNDLE`]. Returns the bundle's path.
fn bundle_content(root: &Path, out: &Path) -> Result<PathBuf> {
    let (bundle, text) = esbuild_bundle(root, out, CONTENT_ENTRY, "iife", ".content.bundle.js")?;
    if text.contains("__sessionDrop") {
        bail!("the bundled content script still uses the old shared global");
    }
    Ok(bundle)
}

/// Locales served with another locale's strings: (alias, source). Browsers do not fall back
/// from `pt_PT` to `pt_BR` (they go to the default, English); a Portuguese (Portugal) browser
/// gets the Brazilian Portuguese strings instead, which read naturally there.
pub const LOCALE_ALIASES: &[(&str, &str)] = &[("pt_PT", "pt_BR")];

/// Writes `_locales/<alias>/messages.json` of a package from its source locale.
fn add_locale_aliases(dir: &Path) -> Result<()> {
    for (alias, source) in LOCALE_ALIASES {
        let from = dir.join("_locales").join(source).join("messages.json");
        let to_dir = dir.join("_locales").join(alias);
        fs::create_dir_all(&to_dir)?;
        fs::copy(&from, to_dir.join("messages.json"))
            .with_context(|| format!("locale {alias} from {}", from.display()))?;
    }
    Ok(())
}

/// Whether a path of `extension/` (relative, `/`-separated) belongs in the package.
pub fn is_runtime_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let top = rel.split('/').next().unwrap_or(rel);
    if rel.split('/').any(|seg| seg.starts_with('.')) {
        return false; // .gitignore, .eslintrc, editor files
    }
    if matches!(top, "tests" | "test" | "node_modules" | "docs") {
        return false;
    }
    if matches!(top, "content" | "background") && name.ends_with(".js") {
        // the ES module sources of the two bundles (bundle_content, bundle_background): nothing
        // loads them unbundled
        return false;
    }
    if matches!(
        name,
        "manifest.base.json"
            | "manifest.json"
            | "chrome-key.pub.txt"
            | "package.json"
            | "package-lock.json"
    ) {
        return false;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    !matches!(ext, "md" | "ts" | "map" | "txt" | "orig" | "rej" | "swp")
}

fn copy_runtime_files(ext: &Path, dest: &Path) -> Result<()> {
    fn walk(base: &Path, dir: &Path, dest: &Path) -> Result<()> {
        for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
            let entry = entry?;
            let path = entry.path();
            let rel = path.strip_prefix(base)?;
            let rel_s: String = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if !is_runtime_file(&rel_s) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                walk(base, &path, dest)?;
            } else {
                let to = dest.join(rel);
                if let Some(p) = to.parent() {
                    fs::create_dir_all(p)?;
                }
                fs::copy(&path, &to)
                    .with_context(|| format!("copying {} to {}", path.display(), to.display()))?;
            }
        }
        Ok(())
    }
    fs::create_dir_all(dest)?;
    walk(ext, ext, dest)
}

/// The content script of a baked-in server (extension/BUILD-CONTRACT.md; the same as
/// `extension/lib/content-scripts.js`): one bundle made from [`CONTENT_ENTRY`].
pub const CONTENT_SCRIPTS: &[&str] = &[CONTENT_BUNDLE];
pub const CONTENT_BUNDLE: &str = "content/console.js";
pub const CONTENT_ENTRY: &str = "content/main.js";
pub const CONTENT_CSS: &[&str] = &["content/terminate.css"];
pub const BACKGROUND: &str = "background.js";
/// The background's entry module in `extension/` (bundled by esbuild into [`BACKGROUND`]).
pub const BACKGROUND_ENTRY: &str = "background/main.js";
pub const MINIMUM_CHROME_VERSION: &str = "116";

/// The per-browser manifest, as extension/BUILD-CONTRACT.md says.
pub fn transform_manifest(
    base: &Value,
    target: Target,
    chrome_key: &str,
    server: Option<&ServerUrl>,
) -> Result<Value> {
    let Value::Object(base) = base else {
        bail!("manifest.base.json is not a JSON object");
    };
    let mut m = base.clone();
    match target {
        Target::Chrome => {
            m.insert(
                "background".into(),
                json!({ "service_worker": BACKGROUND, "type": "module" }),
            );
            m.insert("key".into(), json!(chrome_key));
            m.insert(
                "minimum_chrome_version".into(),
                json!(MINIMUM_CHROME_VERSION),
            );
            m.remove("browser_specific_settings");
        }
        Target::Firefox => {
            m.insert(
                "background".into(),
                json!({ "scripts": [BACKGROUND], "type": "module" }),
            );
            m.remove("key");
            m.remove("minimum_chrome_version");
            // Firefox has no `storage.managed_schema` (policies.json instead); lint would warn.
            m.remove("storage");
            m.insert(
                "browser_specific_settings".into(),
                json!({ "gecko": {
                    "id": GECKO_ID,
                    "strict_min_version": FIREFOX_STRICT_MIN_VERSION,
                    "data_collection_permissions": { "required": ["none"] },
                } }),
            );
        }
    }
    if let Some(s) = server {
        let pattern = s.match_pattern();
        m.insert("host_permissions".into(), json!([pattern]));
        m.insert(
            "content_scripts".into(),
            json!([{
                "matches": [pattern],
                "js": CONTENT_SCRIPTS,
                "css": CONTENT_CSS,
                "run_at": "document_idle",
                "all_frames": true,
            }]),
        );
    } else {
        m.remove("host_permissions");
        m.remove("content_scripts");
    }
    Ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_options_parse_and_are_checked() {
        let args: Vec<String> = [
            "--server",
            "https://pam.example.com",
            "--update-base=https://h.example/sd",
            "--key",
            "org.pem",
        ]
        .map(String::from)
        .to_vec();
        let o = DistOptions::from_args(&args).unwrap();
        assert_eq!(o.update_base.as_deref(), Some("https://h.example/sd"));
        assert_eq!(o.key.as_deref(), Some(Path::new("org.pem")));
        let root = crate::util::root();
        let only_key = DistOptions {
            key: Some("org.pem".into()),
            ..DistOptions::default()
        };
        let e = assemble(&root, &only_key).unwrap_err().to_string();
        assert!(e.contains("--key needs --update-base"), "{e}");
        let insecure = DistOptions {
            update_base: Some("http://updates.example.com".into()),
            ..DistOptions::default()
        };
        let e = format!("{:#}", assemble(&root, &insecure).unwrap_err());
        assert!(e.contains("--update-base"), "{e}");
        let dev = DistOptions {
            server: Some("https://pam.example.com".into()),
            dev_credentials: Some(("a".into(), "b".into())),
            update_base: Some("https://h.example".into()),
            ..DistOptions::default()
        };
        let e = assemble(&root, &dev).unwrap_err().to_string();
        assert!(e.contains("--dev-credentials is for test builds"), "{e}");
    }

    #[test]
    fn deploy_template_names_only_known_values() {
        let t = std::fs::read_to_string(crate::util::root().join("docs/DEPLOY.md")).unwrap();
        let v = DeployValues {
            extension_id: "I".into(),
            gecko_id: "G".into(),
            update_base: "U".into(),
            updates_xml_url: "X".into(),
            xpi_url: "P".into(),
            server_url: "S".into(),
            version: "V".into(),
        };
        let filled = v.fill(&t);
        assert!(
            !filled.contains("{{"),
            "unknown placeholder left in docs/DEPLOY.md"
        );
        assert!(t.contains("{{extension_id}}") && t.contains("{{updates_xml_url}}"));
    }

    #[test]
    fn manifests_follow_the_build_contract() {
        let base = json!({
            "manifest_version": 3,
            "name": "__MSG_extName__",
            "permissions": ["storage", "scripting"],
            "storage": { "managed_schema": "managed_schema.json" },
        });
        let server = ServerUrl::parse("http://127.0.0.1:9").unwrap();
        let c = transform_manifest(&base, Target::Chrome, "KEY", Some(&server)).unwrap();
        assert_eq!(
            c["background"],
            json!({"service_worker": "background.js", "type": "module"})
        );
        assert_eq!(c["key"], "KEY");
        assert_eq!(c["minimum_chrome_version"], "116");
        assert_eq!(c["storage"]["managed_schema"], "managed_schema.json");
        assert_eq!(c["host_permissions"], json!(["http://127.0.0.1/*"]));
        assert_eq!(
            c["content_scripts"][0]["matches"],
            json!(["http://127.0.0.1/*"])
        );
        assert_eq!(c["content_scripts"][0]["all_frames"], true);
        assert!(c.get("browser_specific_settings").is_none());
        let f = transform_manifest(&base, Target::Firefox, "KEY", None).unwrap();
        assert_eq!(
            f["background"],
            json!({"scripts": ["background.js"], "type": "module"})
        );
        assert!(f.get("key").is_none() && f.get("storage").is_none());
        assert!(f.get("host_permissions").is_none() && f.get("content_scripts").is_none());
        assert_eq!(f["browser_specific_settings"]["gecko"]["id"], GECKO_ID);
        assert_eq!(
            f["browser_specific_settings"]["gecko"]["strict_min_version"],
            "142.0"
        );
        assert_eq!(
            f["browser_specific_settings"]["gecko"]["data_collection_permissions"],
            json!({"required": ["none"]})
        );
    }

    #[test]
    fn locale_aliases_copy_their_source() {
        let dir = std::env::temp_dir().join(format!("sd-locales-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for (_, source) in LOCALE_ALIASES {
            let d = dir.join("_locales").join(source);
            fs::create_dir_all(&d).unwrap();
            fs::write(
                d.join("messages.json"),
                format!("{{\"from\": \"{source}\"}}"),
            )
            .unwrap();
        }
        add_locale_aliases(&dir).unwrap();
        for (alias, source) in LOCALE_ALIASES {
            let got =
                fs::read_to_string(dir.join("_locales").join(alias).join("messages.json")).unwrap();
            assert_eq!(got, format!("{{\"from\": \"{source}\"}}"));
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn runtime_file_filter() {
        assert!(is_runtime_file("background.js"));
        assert!(!is_runtime_file("content/main.js"), "bundled, not copied");
        assert!(!is_runtime_file("content/features/terminate-button.js"));
        assert!(
            !is_runtime_file("background/main.js"),
            "bundled, not copied"
        );
        assert!(!is_runtime_file("background/routes.js"));
        assert!(is_runtime_file("wasm/session_drop_bg.wasm"));
        assert!(is_runtime_file("_locales/pt_BR/messages.json"));
        assert!(is_runtime_file("managed_schema.json"));
        assert!(is_runtime_file("content/terminate.css"));
        assert!(!is_runtime_file("tests"));
        assert!(!is_runtime_file("tests/background.test.mjs"));
        assert!(!is_runtime_file("BUILD-CONTRACT.md"));
        assert!(!is_runtime_file("manifest.base.json"));
        assert!(!is_runtime_file("chrome-key.pub.txt"));
        assert!(!is_runtime_file("wasm/.gitignore"));
    }
}
