//! The parsing machinery: settings-file lines, and the value forms keys
//! share (booleans, numbers, durations).
//!
//! Invariant: parsing never panics; a bad line or value is an error
//! naming what was expected (a file line also names its file and line
//! number).

use std::path::Path;
use std::time::Duration;

use super::SettingsError;

pub(super) fn parse_file(text: &str, path: &Path) -> Result<Vec<(String, String, String)>, SettingsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let source = format!("{}:{}", path.display(), i + 1);
        let split = line.find(['=', ':']).ok_or_else(|| SettingsError {
            source_name: source.clone(),
            key: line.to_string(),
            message: "expected `key = value`".into(),
        })?;
        let key = line[..split].trim().to_string();
        let value = line[split + 1..].trim().trim_matches('"').to_string();
        out.push((source, key, value));
    }
    Ok(out)
}

pub(super) fn parse_bool(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {v:?}")),
    }
}

pub(super) fn parse_num<T: std::str::FromStr>(v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("not a valid number: {v:?}"))
}

/// `500ms`, `10s`, `2m`, `1h`, a bare number of seconds, or APIM's
/// `hh:mm:ss` timespan form (`00:01:40`).
pub fn parse_duration(v: &str) -> Result<Duration, String> {
    let bad = || format!("not a duration (use 500ms, 10s, 2m or hh:mm:ss): {v:?}");
    if v.contains(':') {
        let parts: Vec<&str> = v.split(':').collect();
        if parts.len() != 3 {
            return Err(bad());
        }
        let h: u64 = parts[0].parse().map_err(|_| bad())?;
        let m: u64 = parts[1].parse().map_err(|_| bad())?;
        let s: f64 = parts[2].parse().map_err(|_| bad())?;
        if m >= 60 || !(0.0..60.0).contains(&s) {
            return Err(bad());
        }
        return Ok(Duration::from_secs(h * 3600 + m * 60) + Duration::from_secs_f64(s));
    }
    let (num, unit) = match v.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => v.split_at(i),
        None => (v, "s"),
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("00:01:40"), Ok(Duration::from_secs(100)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("00:61:00").is_err());
    }

    #[test]
    fn file_lines() {
        let p = Path::new("s.conf");
        let v = parse_file("# c\nnet.server.http.port = 81\nruntime.workers: 2\n", p).unwrap();
        assert_eq!(v[0].0, "s.conf:2");
        assert_eq!(v[1].2, "2");
        assert!(parse_file("garbage", p).is_err());
    }
}
