//! TLS test support: a throw-away PKI made with the `openssl` command at
//! test time (a CA, server and client certificates), and the real TLS
//! clients the tests drive (`openssl s_client`, `curl`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A certificate authority in a directory.
pub struct Pki {
    pub dir: PathBuf,
    name: String,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (test.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pki {
    /// A new CA named `name` (files `<name>-ca.pem`, `<name>-ca.key`).
    pub fn new(dir: &Path, name: &str) -> Pki {
        std::fs::create_dir_all(dir).unwrap();
        let subj = format!("/CN={name} test CA");
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{name}-ca.key"),
                "-out",
                &format!("{name}-ca.pem"),
                "-days",
                "2",
                "-subj",
                &subj,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        Pki {
            dir: dir.to_owned(),
            name: name.to_owned(),
        }
    }

    /// An intermediate CA named `name` signed by this CA, in the same
    /// directory (files `<name>-ca.pem`, `<name>-ca.key`).
    pub fn intermediate(&self, name: &str) -> Pki {
        let ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
        let stem = format!("{name}-ca");
        self.sign(
            &stem,
            &format!("/CN={name} test intermediate CA"),
            ext,
            &format!("{stem}.pem"),
            "2",
        );
        Pki {
            dir: self.dir.clone(),
            name: name.to_owned(),
        }
    }

    /// A new P-256 key `<stem>.key` and a certificate `out` for `subj`
    /// with extensions `ext`, signed by this CA, valid for `days`.
    fn sign(&self, stem: &str, subj: &str, ext: &str, out: &str, days: &str) {
        let d = &self.dir;
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &format!("{stem}.key"),
                "-out",
                &format!("{stem}.csr"),
                "-subj",
                subj,
            ],
        );
        std::fs::write(d.join(format!("{stem}.ext")), ext).unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{stem}.csr"),
                "-CA",
                &format!("{}-ca.pem", self.name),
                "-CAkey",
                &format!("{}-ca.key", self.name),
                "-CAcreateserial",
                "-out",
                out,
                "-days",
                days,
                "-extfile",
                &format!("{stem}.ext"),
            ],
        );
    }

    /// The CA certificate (PEM file).
    pub fn ca(&self) -> PathBuf {
        self.dir.join(format!("{}-ca.pem", self.name))
    }

    /// A leaf certificate signed by this CA: `<file>.crt`, `<file>.key` and
    /// `<file>.pem` (certificate then key, as `certificates/<id>.pem` wants).
    /// `sans` are DNS names; `client` makes a client-auth certificate.
    pub fn issue(&self, file: &str, cn: &str, sans: &[&str], client: bool) -> PathBuf {
        self.issue_days(file, cn, sans, client, "2")
    }

    /// Like [`Pki::issue`], valid for `days` from now (`"-1"`: already
    /// expired).
    pub fn issue_days(&self, file: &str, cn: &str, sans: &[&str], client: bool, days: &str) -> PathBuf {
        let d = &self.dir;
        let mut ext = String::from("basicConstraints=CA:FALSE\n");
        if client {
            ext.push_str("extendedKeyUsage=clientAuth\n");
        } else {
            ext.push_str("extendedKeyUsage=serverAuth\n");
        }
        if !sans.is_empty() {
            let list: Vec<String> = sans
                .iter()
                .map(|s| {
                    if s.parse::<std::net::IpAddr>().is_ok() {
                        format!("IP:{s}")
                    } else {
                        format!("DNS:{s}")
                    }
                })
                .collect();
            ext.push_str(&format!("subjectAltName={}\n", list.join(",")));
        }
        self.sign(file, &format!("/CN={cn}"), &ext, &format!("{file}.crt"), days);
        let crt = std::fs::read_to_string(d.join(format!("{file}.crt"))).unwrap();
        let key = std::fs::read_to_string(d.join(format!("{file}.key"))).unwrap();
        let pem = d.join(format!("{file}.pem"));
        std::fs::write(&pem, format!("{crt}{key}")).unwrap();
        pem
    }
}

/// The SHA-1 thumbprint of a PEM certificate file, uppercase hex (.NET's
/// `Thumbprint`).
pub fn thumbprint(pem: &Path) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(pem)
        .output()
        .expect("run openssl");
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
        .to_ascii_uppercase()
}

/// Runs `openssl s_client` against 127.0.0.1:`port` with `args`, sending
/// `input`; returns (handshake succeeded, stdout + stderr).
///
/// With `-ign_eof` (so TLS 1.3 session tickets are read) s_client only
/// exits when the server closes; an empty `input` therefore becomes one
/// `Connection: close` request, which the gateway answers and then closes
/// (otherwise every handshake-only call would wait for a timeout).
pub fn s_client(port: u16, args: &[&str], input: &str) -> (bool, String) {
    let input = if input.is_empty() {
        "HEAD /s-client HTTP/1.1\r\nHost: s-client\r\nConnection: close\r\n\r\n"
    } else {
        input
    };
    let connect = format!("127.0.0.1:{port}");
    let mut child = Command::new("timeout")
        .args(["10", "openssl", "s_client", "-connect", &connect, "-ign_eof"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl s_client");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let ok = text.contains("Cipher is ") && !text.contains("Cipher is (NONE)");
    (ok, text)
}

/// The `subject=` line of an s_client output (the served certificate).
pub fn served_subject(out: &str) -> String {
    out.lines()
        .find(|l| l.starts_with("subject="))
        .unwrap_or_else(|| panic!("no subject line in {out}"))
        .to_string()
}

/// Runs `curl -sS` with `args`; returns (HTTP status, 0 on failure; output).
pub fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("run curl (test.sh installs it)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (code.trim().parse().unwrap_or(0), format!("{body}{err}"))
}

/// curl's `--resolve` so that `name`:`port` reaches 127.0.0.1.
pub fn resolve(name: &str, port: u16) -> String {
    format!("{name}:{port}:127.0.0.1")
}

/// HTTPS load while something changes (a certificate rotation): `threads`
/// threads each run curl on one keep-alive connection carrying 3 requests
/// to `https://HOST:PORT/echo/r`, again and again until [`finish`]
/// (bounded: at most `max_runs` curl runs per thread).
///
/// [`finish`]: HttpsLoad::finish
pub struct HttpsLoad {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<std::thread::JoinHandle<Vec<(u16, String)>>>,
}

impl HttpsLoad {
    pub fn start(host: &str, port: u16, ca: &Path, threads: usize, max_runs: usize) -> HttpsLoad {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let url = format!("https://{host}:{port}/echo/r");
        let args: Vec<String> = [
            "--cacert",
            ca.to_str().expect("a UTF-8 path"),
            "--resolve",
            &resolve(host, port),
            &url,
            &url,
            &url,
        ]
        .map(String::from)
        .into();
        let threads = (0..threads)
            .map(|_| {
                let (stop, args) = (stop.clone(), args.clone());
                std::thread::spawn(move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let mut results = Vec::new();
                    for _ in 0..max_runs {
                        if stop.load(std::sync::atomic::Ordering::SeqCst) {
                            break;
                        }
                        results.push(curl(&args));
                    }
                    results
                })
            })
            .collect();
        HttpsLoad { stop, threads }
    }

    /// Stops the load and asserts that every request was answered 200.
    pub fn finish(self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut total = 0;
        for t in self.threads {
            for (code, out) in t.join().unwrap() {
                assert_eq!(code, 200, "a request failed under load: {out}");
                total += 1;
            }
        }
        assert!(total > 0, "the load ran");
    }
}
