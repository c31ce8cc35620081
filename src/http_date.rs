//! HTTP dates (RFC 9110 §5.6.7) as a `retry-after` header may give them.
//!
//! Hand-written rather than the `httpdate` crate: that crate checks a
//! parsed date by converting it to `SystemTime` and back, which links
//! `SystemTime`'s panics and `Duration`'s `Debug` into the wasm package;
//! with its parser that is ~4 KB of the gzipped package for one header
//! form. This module accepts exactly what `httpdate::parse_http_date`
//! accepts and gives the same instant (the tests check it against the
//! crate, both ways, on generated input).

/// The instant an HTTP date names, in seconds since the Unix epoch; `None`
/// when `s` is not one. Accepted, after trimming surrounding whitespace:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
/// (`Sunday, 06-Nov-94 08:49:37 GMT`, two-digit years 70–99 → 19xx, else
/// 20xx) and asctime (`Sun Nov  6 08:49:37 1994`), for years 1970–9999. The
/// weekday must be the date's, and the day must exist in its month.
pub(crate) fn parse_http_date(s: &str) -> Option<u64> {
    let s = s.trim();
    if !s.is_ascii() {
        return None;
    }
    let b = s.as_bytes();
    // The forms differ in length (29, 30–33 and 24 bytes), so at most one
    // can match.
    let fields = match b.len() {
        29 => read_form(b, IMF_FIXDATE, None),
        24 => read_form(b, ASCTIME, None),
        _ => (1..).zip(DAYS).find_map(|(number, name)| {
            let rest = b.strip_prefix(name.as_bytes())?.strip_prefix(b", ")?;
            read_form(rest, RFC850_AFTER_WEEKDAY, Some(number))
        }),
    };
    fields?.unix_seconds()
}

/// The layouts, one byte of template per byte of input: `w` a weekday
/// letter, `b` a month letter, `d` a digit of the day, `e` its tens (a
/// digit or a space), `y` a digit of a four-digit year, `c` of a two-digit
/// one, `h`/`m`/`s` digits of the time, `?` any byte (`httpdate` does not
/// check the one between year and hour in the RFC 850 form); any other byte
/// stands for itself.
const IMF_FIXDATE: &[u8] = b"www, dd bbb yyyy hh:mm:ss GMT";
const RFC850_AFTER_WEEKDAY: &[u8] = b"dd-bbb-cc?hh:mm:ss GMT";
const ASCTIME: &[u8] = b"www bbb ed hh:mm:ss yyyy";

/// The fields of a date as written, not yet checked against each other.
#[derive(Default)]
struct Fields {
    year: u16,
    /// 1–12 once read.
    month: u16,
    day: u16,
    hour: u16,
    minute: u16,
    second: u16,
    /// 1 (Monday) – 7 (Sunday) once read.
    weekday: u16,
}

/// The first three letters of each month, then of each weekday (Monday
/// first), packed as `name_code` packs them.
const MONTHS: [u32; 12] = [
    name_code(b"Jan"),
    name_code(b"Feb"),
    name_code(b"Mar"),
    name_code(b"Apr"),
    name_code(b"May"),
    name_code(b"Jun"),
    name_code(b"Jul"),
    name_code(b"Aug"),
    name_code(b"Sep"),
    name_code(b"Oct"),
    name_code(b"Nov"),
    name_code(b"Dec"),
];
const WEEKDAYS: [u32; 7] = [
    name_code(b"Mon"),
    name_code(b"Tue"),
    name_code(b"Wed"),
    name_code(b"Thu"),
    name_code(b"Fri"),
    name_code(b"Sat"),
    name_code(b"Sun"),
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Days before the first of each month in a common year.
const DAYS_BEFORE_MONTH: [u16; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

const fn name_code(name: &[u8; 3]) -> u32 {
    (name[0] as u32) << 16 | (name[1] as u32) << 8 | name[2] as u32
}

/// 1-based position of `code` in `names`.
fn position(names: &[u32], code: u32) -> Option<u16> {
    (1..)
        .zip(names)
        .find_map(|(n, c)| (*c == code).then_some(n))
}

/// Reads `s` laid out as `template` (see [`IMF_FIXDATE`]); `weekday` when
/// it was read before the template.
fn read_form(s: &[u8], template: &[u8], weekday: Option<u16>) -> Option<Fields> {
    if s.len() != template.len() {
        return None;
    }
    let mut f = Fields::default();
    let (mut weekday_code, mut month_code, mut short_year) = (0u32, 0u32, 0u16);
    for (&b, &t) in s.iter().zip(template) {
        let field = match t {
            b'w' => {
                weekday_code = weekday_code << 8 | u32::from(b);
                continue;
            }
            b'b' => {
                month_code = month_code << 8 | u32::from(b);
                continue;
            }
            b'?' => continue,
            // The tens of an asctime day may be a space: it adds nothing.
            b'e' if b == b' ' => continue,
            b'e' | b'd' => &mut f.day,
            b'y' => &mut f.year,
            b'c' => &mut short_year,
            b'h' => &mut f.hour,
            b'm' => &mut f.minute,
            b's' => &mut f.second,
            _ if b == t => continue,
            _ => return None,
        };
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        *field = *field * 10 + u16::from(digit);
    }
    f.month = position(&MONTHS, month_code)?;
    f.weekday = match weekday {
        Some(w) => w,
        None => position(&WEEKDAYS, weekday_code)?,
    };
    if template == RFC850_AFTER_WEEKDAY {
        f.year = short_year + if short_year < 70 { 2000 } else { 1900 };
    }
    Some(f)
}

fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

impl Fields {
    /// Seconds since the epoch, when every field is in range, the day
    /// exists in its month and the weekday is that date's.
    fn unix_seconds(&self) -> Option<u64> {
        let in_range = self.second < 60
            && self.minute < 60
            && self.hour < 24
            && (1970..=9999).contains(&self.year)
            && (1..=12).contains(&self.month);
        if !in_range {
            return None;
        }
        let leap = is_leap_year(self.year);
        let month_index = usize::from(self.month - 1);
        let month_len = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if self.day == 0 || self.day > month_len {
            return None;
        }
        // Leap days in the whole years 1970 … year-1.
        let y = u64::from(self.year) - 1;
        let leap_days = (y - 1968) / 4 - (y - 1900) / 100 + (y - 1600) / 400;
        let day_of_year = u64::from(*DAYS_BEFORE_MONTH.get(month_index)?)
            + u64::from(self.day - 1)
            + u64::from(leap && self.month > 2);
        let days = (u64::from(self.year) - 1970) * 365 + leap_days + day_of_year;
        // 1970-01-01 was a Thursday (4).
        if (days + 3) % 7 + 1 != u64::from(self.weekday) {
            return None;
        }
        Some(
            days * 86_400
                + u64::from(self.hour) * 3_600
                + u64::from(self.minute) * 60
                + u64::from(self.second),
        )
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::parse_http_date;
    use proptest::prelude::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// What the `httpdate` crate makes of `s` trimmed, as
    /// [`parse_http_date`] trims it (the crate checks for non-ASCII bytes
    /// before it trims).
    fn reference(s: &str) -> Option<u64> {
        let at = httpdate::parse_http_date(s.trim()).ok()?;
        Some(at.duration_since(UNIX_EPOCH).ok()?.as_secs())
    }

    /// The three forms of the instant `secs`, from the crate's IMF-fixdate.
    fn three_forms(secs: u64) -> [String; 3] {
        let imf = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let (wday, day, mon, year, time) = (
            &imf[0..3],
            &imf[5..7],
            &imf[8..11],
            &imf[12..16],
            &imf[17..25],
        );
        let long = super::DAYS
            .iter()
            .find(|d| d.starts_with(wday))
            .expect("weekday");
        let rfc850 = format!("{long}, {day}-{mon}-{} {time} GMT", &year[2..]);
        let asc_day = day
            .strip_prefix('0')
            .map_or(day.to_owned(), |d| format!(" {d}"));
        let asctime = format!("{wday} {mon} {asc_day} {time} {year}");
        [imf, rfc850, asctime]
    }

    #[test]
    fn examples_from_rfc_9110() {
        for s in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            " \tSun Nov 06 08:49:37 1994\r\n",
        ] {
            assert_eq!(parse_http_date(s), Some(784_111_777), "{s:?}");
        }
        // Wrong weekday, a day the month lacks, before 1970, lower case.
        for s in [
            "Mon, 06 Nov 1994 08:49:37 GMT",
            "Thu, 31 Apr 2025 00:00:00 GMT",
            "Tue, 29 Feb 2100 00:00:00 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "sun, 06 nov 1994 08:49:37 gmt",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT ",
        ] {
            assert_eq!(parse_http_date(s), reference(s), "{s:?}");
        }
        assert_eq!(parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT"), None);
        assert_eq!(
            parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(253_402_300_799)
        );
        assert_eq!(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT"), Some(0));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Every instant the crate can write, in all three forms, reads back
        /// as that instant, as the crate reads it.
        #[test]
        fn every_written_date_reads_back(secs in 0u64..253_402_300_800) {
            let [imf, rfc850, asctime] = three_forms(secs);
            prop_assert_eq!(parse_http_date(&imf), Some(secs));
            prop_assert_eq!(reference(&imf), Some(secs));
            prop_assert_eq!(parse_http_date(&asctime), Some(secs));
            prop_assert_eq!(reference(&asctime), Some(secs));
            // Two-digit years name 1970–2069 only; a later year reads as
            // the one a century or more before (valid if the weekday fits).
            prop_assert_eq!(parse_http_date(&rfc850), reference(&rfc850));
            if secs < 3_155_760_000 {
                prop_assert_eq!(parse_http_date(&rfc850), Some(secs));
            }
        }

        /// Dates assembled from fields in and out of range (bad weekdays,
        /// days past the month's end, stray bytes) are accepted or refused
        /// as the crate accepts or refuses them.
        #[test]
        fn assembled_dates_agree_with_httpdate(
            wday in prop::sample::select(vec!["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Thr", "sun"]),
            long in prop::sample::select(vec!["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Sundy"]),
            mon in prop::sample::select(vec!["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo", "feb"]),
            day in 0u32..40,
            year in prop_oneof![1965u32..2110, 9990u32..10000, 0u32..10000],
            hour in 0u32..26,
            min in 0u32..62,
            sec in 0u32..62,
            sep in prop::sample::select(vec![" ", ":", "x", "-", "\t"]),
            pad in prop::sample::select(vec!["", " ", "\t", "\n ", "\u{a0}"]),
        ) {
            let time = format!("{hour:02}:{min:02}:{sec:02}");
            for s in [
                format!("{pad}{wday}, {day:02} {mon} {year:04} {time} GMT{pad}"),
                format!("{long}, {day:02}-{mon}-{:02}{sep}{time} GMT", year % 100),
                format!("{wday} {mon} {day:>2} {time} {year:04}"),
                format!("{wday} {mon} {day:02}{sep}{time} {year:04}{pad}"),
                format!("{wday} {mon} {day:>2} {hour}:{min:02}:{sec:02} {year:04}"),
            ] {
                prop_assert_eq!(parse_http_date(&s), reference(&s), "{:?}", s);
            }
        }

        /// Arbitrary text, and valid dates with one byte changed.
        #[test]
        fn arbitrary_text_agrees_with_httpdate(
            s in "\\PC{0,40}",
            secs in 0u64..4_000_000_000,
            form in 0usize..3,
            at in 0usize..40,
            byte in prop::sample::select(b" 0123456789:-,GMTabcJanFebSunMonday\t\xff".to_vec()),
        ) {
            prop_assert_eq!(parse_http_date(&s), reference(&s), "{:?}", &s);
            let mut bytes = three_forms(secs)[form].clone().into_bytes();
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
            let mutated = String::from_utf8_lossy(&bytes);
            prop_assert_eq!(parse_http_date(&mutated), reference(&mutated), "{:?}", &mutated);
        }
    }
}
