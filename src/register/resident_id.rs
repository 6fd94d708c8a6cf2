//! The 18-character resident ID (公民身份号码, GB 11643-1999): 6-digit region, 8-digit
//! birth date, 3-digit sequence (odd for men), and a check character.

#[cfg(test)]
use super::convert::days_from_ymd;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits; `None` if they are not 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| (b - b'0') as u32 * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// Build an ID from its parts, with the right check character.
pub fn make(region: &str, y: i32, m: u32, d: u32, seq: u32) -> String {
    let mut s = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
    if let Some(c) = check_char(&s) {
        s.push(c);
    }
    s
}

/// The birth date in digits 7–14 (days since 1970-01-01), if they form a real date —
/// whatever the check character (DOMAIN.md, Exact meanings).
pub fn birth_date(id: &str) -> Option<i32> {
    let digits = id.as_bytes().get(6..14)?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits[r].iter().fold(0u32, |a, b| a * 10 + u32::from(b - b'0'));
    days_of(n(0..4), n(4..6), n(6..8))
}

/// Days since 1970-01-01 of a date of years 0–9999, `None` when it is not a date: by
/// integer arithmetic (H. Hinnant's `days_from_civil`), the same days as
/// `convert::days_from_ymd` (checked for every day of 1600–2400), once per member for every ID:
/// a third of the time of parsing and asking the calendar.
fn days_of(y: u32, m: u32, d: u32) -> Option<i32> {
    let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if y > 9999 || !(1..=12).contains(&m) || d == 0 || d > month_days[m as usize - 1] {
        return None;
    }
    let (y, m, d) = (y as i64 - i64::from(m <= 2), m as i64, d as i64);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) as i32)
}

/// Whether the ID has the form: 18 characters, the first 17 digits, and a real birth date
/// in digits 7–14 (the check character is [`check_ok`]'s concern). Rules call it
/// `id_well_formed`, on both engines.
pub fn well_formed(id: &str) -> bool {
    id.len() == 18 && id.as_bytes()[..17].iter().all(u8::is_ascii_digit) && birth_date(id).is_some()
}

/// Whether the last character is the check character of the first 17 digits (a digit or
/// upper-case `X`; lower-case `x` is an error). Rules call it `id_check_ok`.
pub fn check_ok(id: &str) -> bool {
    id.get(..17).and_then(check_char).is_some_and(|c| id.ends_with(c))
}

/// The sex the 17th digit gives: odd `1` (male), even `2` (female). Rules call it `id_sex`.
pub fn sex(id: &str) -> Option<&'static str> {
    let d = id.as_bytes().get(16).copied().filter(u8::is_ascii_digit)?;
    Some(if (d - b'0') % 2 == 1 { "1" } else { "2" })
}

/// Whether the ID is valid: well formed and with the right check character.
pub fn is_valid(id: &str) -> bool {
    well_formed(id) && check_ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_example_checks_out() {
        // GB 11643-1999 worked example: 11010519491231002X.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert!(is_valid("11010519491231002X"));
        assert!(!is_valid("11010519491231002x"));
        assert!(!is_valid("110105194912310021"));
        assert_eq!(make("110105", 1949, 12, 31, 2), "11010519491231002X");
        assert_eq!(birth_date("11010519491231002X"), days_from_ymd(1949, 12, 31));
        assert_eq!(birth_date("110105194902300021"), None);
        assert!(well_formed("11010519491231002x") && !check_ok("11010519491231002x"));
        assert!(!well_formed("1101051949123100") && !well_formed("11010519491231002X1"));
        assert_eq!((sex("11010519491231002X"), sex("110105194912310011")), (Some("2"), Some("1")));
        assert_eq!(sex("1101051949"), None);
    }

    #[test]
    fn dates_in_ids_are_the_calendars_days() {
        for y in (0..=30).chain(1600..=2400).chain(9990..=9999) {
            for m in 0..=13 {
                for d in 0..=32 {
                    assert_eq!(days_of(y, m, d), days_from_ymd(y as i32, m, d), "{y}-{m}-{d}");
                }
            }
        }
        assert_eq!(birth_date("110105000002290021"), days_from_ymd(0, 2, 29));
        assert_eq!(birth_date("110105190002290021"), None);
    }
}
