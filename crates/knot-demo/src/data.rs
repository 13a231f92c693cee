//! Deterministic demo data: every record is a pure function of its id.
//!
//! Ids are canonical decimal numbers (`"1"`, never `"01"` or `"+1"`), optionally
//! behind a prefix (`"INS-3"`, `"ORD-12"`). Nothing here allocates state, so the
//! services can answer any request without a database.

use serde::Serialize;

use crate::pb;

/// Highest numeric id of orders, users, products and trading orders.
pub const MAX_ID: u32 = 1000;
/// Highest instrument number (`INS-1..INS-100`).
pub const MAX_INSTRUMENT: u32 = 100;

/// Parses a canonical decimal id in `1..=max`.
pub fn parse_id(id: &str, max: u32) -> Option<u32> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) || id.starts_with('0') {
        return None;
    }
    let n: u32 = id.parse().ok()?;
    (1..=max).contains(&n).then_some(n)
}

/// Parses `<prefix><n>` with a canonical `n` in `1..=max`.
pub fn parse_prefixed(id: &str, prefix: &str, max: u32) -> Option<u32> {
    parse_id(id.strip_prefix(prefix)?, max)
}

/// True when an id is empty or whitespace only.
pub fn is_blank(id: &str) -> bool {
    id.trim().is_empty()
}

/// A shop order.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    pub user_id: String,
    pub product_ids: Vec<String>,
    /// `placed`, `shipped` or `delivered` (the service's own lower-case spelling).
    pub status: &'static str,
}

const ORDER_STATUSES: [&str; 3] = ["placed", "shipped", "delivered"];

/// Order `n`.
pub fn order(n: u32) -> Order {
    Order {
        id: n.to_string(),
        user_id: ((n - 1) % 50 + 1).to_string(),
        product_ids: vec![
            ((n - 1) % 100 + 1).to_string(),
            (n % 100 + 1).to_string(),
            ((n + 1) % 100 + 1).to_string(),
        ],
        status: ORDER_STATUSES[(n % 3) as usize],
    }
}

/// A new order as `POST /orders` answers it: numbered past the fixed orders, `placed`.
pub fn placed_order(n: u32, user_id: String, product_ids: Vec<String>) -> Order {
    Order {
        id: (MAX_ID + n).to_string(),
        user_id,
        product_ids,
        status: ORDER_STATUSES[0],
    }
}

const USER_NAMES: [&str; 10] = [
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Barbara Liskov",
    "Edsger Dijkstra",
    "Margaret Hamilton",
    "Donald Knuth",
    "Frances Allen",
    "Ken Thompson",
    "Radia Perlman",
];

/// A shop user.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// The base name of user `n` (without the `#n` suffix).
fn user_base_name(n: u32) -> &'static str {
    USER_NAMES[((n - 1) % 10) as usize]
}

/// User `n`.
pub fn user(n: u32) -> User {
    let base = user_base_name(n);
    let first = base
        .split_whitespace()
        .next()
        .unwrap_or(base)
        .to_lowercase();
    let (name, email) = if n > 10 {
        (format!("{base} #{n}"), format!("{first}{n}@example.com"))
    } else {
        (base.to_owned(), format!("{first}@example.com"))
    };
    User {
        id: n.to_string(),
        name,
        email,
    }
}

const PRODUCT_NAMES: [&str; 10] = [
    "Mechanical Keyboard",
    "Ergonomic Mouse",
    "4K Monitor",
    "USB-C Dock",
    "Noise-Cancelling Headphones",
    "Webcam",
    "Standing Desk",
    "Desk Lamp",
    "Laptop Stand",
    "Cable Organiser",
];

/// Product `n`.
pub fn product(n: u32) -> pb::Product {
    let base = PRODUCT_NAMES[((n - 1) % 10) as usize];
    let name = if n > 10 {
        format!("{base} #{n}")
    } else {
        base.to_owned()
    };
    pb::Product {
        id: n.to_string(),
        name,
        price: f64::from((n * 37) % 200) + 9.99,
        currency: "EUR".to_owned(),
        stock: ((n * 7) % 50) as i32,
    }
}

/// A product review (GraphQL service).
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewData {
    pub id: String,
    pub product_id: String,
    pub rating: i32,
    pub body: String,
    pub author: String,
}

const REVIEW_BODIES: [&str; 5] = [
    "Would not buy again.",
    "Does the job, barely.",
    "Decent for the price.",
    "Very good, small flaws.",
    "Excellent, highly recommended!",
];

/// Review `k` (1-based) of product `n`; `None` when it does not exist.
pub fn review(n: u32, k: u32) -> Option<ReviewData> {
    if !(1..=MAX_ID).contains(&n) || k == 0 || k > n % 3 + 1 {
        return None;
    }
    let rating = (n + k) % 5 + 1;
    Some(ReviewData {
        id: format!("r-{n}-{k}"),
        product_id: n.to_string(),
        rating: rating as i32,
        body: REVIEW_BODIES[(rating - 1) as usize].to_owned(),
        author: user_base_name((n + k) % 10 + 1).to_owned(),
    })
}

/// All reviews of a product id (empty when the product is unknown).
pub fn reviews_of(product_id: &str) -> Vec<ReviewData> {
    match parse_id(product_id, MAX_ID) {
        Some(n) => (1..=n % 3 + 1).filter_map(|k| review(n, k)).collect(),
        None => Vec::new(),
    }
}

/// The review with id `r-<n>-<k>`, if it exists.
pub fn review_by_id(id: &str) -> Option<ReviewData> {
    let rest = id.strip_prefix("r-")?;
    let (n, k) = rest.split_once('-')?;
    review(parse_id(n, MAX_ID)?, parse_id(k, 3)?)
}

/// A trading event.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub date: String,
    pub kind: &'static str,
    pub instrument_identifier: String,
    pub order_identifier: String,
}

const EVENT_KINDS: [&str; 3] = ["TRADE", "AMEND", "CANCEL"];

/// Event `i` (0-based) of a date.
pub fn event(date: &str, i: u32) -> Event {
    Event {
        id: format!("ev-{date}-{i}"),
        date: date.to_owned(),
        kind: EVENT_KINDS[(i % 3) as usize],
        instrument_identifier: format!("INS-{}", i % 8 + 1),
        order_identifier: format!("ORD-{}", i % 20 + 1),
    }
}

/// True for `YYYY-MM-DD` with a plausible month and day.
pub fn is_valid_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    (1..=12).contains(&num(5..7)) && (1..=31).contains(&num(8..10))
}

/// A tradable instrument.
#[derive(Clone, Debug, Serialize)]
pub struct Instrument {
    pub identifier: String,
    pub symbol: String,
    pub name: String,
    pub currency: String,
}

const INSTRUMENTS: [(&str, &str, &str); 8] = [
    ("AAPL", "Apple Inc.", "USD"),
    ("MSFT", "Microsoft Corp.", "USD"),
    ("GOOGL", "Alphabet Inc.", "USD"),
    ("AMZN", "Amazon.com Inc.", "USD"),
    ("NVDA", "NVIDIA Corp.", "USD"),
    ("SAP", "SAP SE", "EUR"),
    ("ASML", "ASML Holding N.V.", "EUR"),
    ("NESN", "Nestle S.A.", "CHF"),
];

const CURRENCIES: [&str; 3] = ["USD", "EUR", "GBP"];

/// Instrument `INS-n`.
pub fn instrument(n: u32) -> Instrument {
    let (symbol, name, currency) = match INSTRUMENTS.get((n as usize).wrapping_sub(1)) {
        Some((symbol, name, currency)) => (
            (*symbol).to_owned(),
            (*name).to_owned(),
            (*currency).to_owned(),
        ),
        None => (
            format!("SYM{n}"),
            format!("Instrument {n}"),
            CURRENCIES[(n % 3) as usize].to_owned(),
        ),
    };
    Instrument {
        identifier: format!("INS-{n}"),
        symbol,
        name,
        currency,
    }
}

/// A trading order.
#[derive(Clone, Debug, Serialize)]
pub struct TradingOrder {
    pub identifier: String,
    pub side: &'static str,
    pub quantity: u32,
    pub price: f64,
    pub status: &'static str,
}

/// Trading order `ORD-n`.
pub fn trading_order(n: u32) -> TradingOrder {
    TradingOrder {
        identifier: format!("ORD-{n}"),
        side: if n % 2 == 1 { "buy" } else { "sell" },
        quantity: ((n * 13) % 100 + 1) * 10,
        price: 100.0 + f64::from((n * 17) % 500) / 4.0,
        status: match n % 3 {
            0 => "OPEN",
            _ => "FILLED",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical() {
        assert_eq!(parse_id("1", MAX_ID), Some(1));
        assert_eq!(parse_id("1000", MAX_ID), Some(1000));
        assert_eq!(parse_id("1001", MAX_ID), None);
        assert_eq!(parse_id("0", MAX_ID), None);
        assert_eq!(parse_id("01", MAX_ID), None);
        assert_eq!(parse_id("+1", MAX_ID), None);
        assert_eq!(parse_id("", MAX_ID), None);
        assert_eq!(parse_prefixed("INS-8", "INS-", MAX_INSTRUMENT), Some(8));
        assert_eq!(parse_prefixed("INS-101", "INS-", MAX_INSTRUMENT), None);
    }

    #[test]
    fn records_follow_the_spec() {
        assert_eq!(order(1).product_ids, ["1", "2", "3"]);
        assert_eq!(order(2).user_id, "2");
        assert_eq!(order(100).product_ids, ["100", "1", "2"]);
        assert_eq!(user(1).email, "ada@example.com");
        assert_eq!(user(11).name, "Ada Lovelace #11");
        assert_eq!(user(11).email, "ada11@example.com");
        assert_eq!(product(1).name, "Mechanical Keyboard");
        assert_eq!(product(1).price, 46.99);
        assert_eq!(product(1).stock, 7);
        assert_eq!(reviews_of("1").len(), 2);
        assert_eq!(reviews_of("2").len(), 3);
        assert_eq!(reviews_of("3").len(), 1);
        assert_eq!(review_by_id("r-2-3").map(|r| r.rating), Some(1));
        assert_eq!(review_by_id("r-3-2"), None);
        assert!(is_valid_date("2024-05-01"));
        assert!(!is_valid_date("2024-5-01"));
        assert!(!is_valid_date("2024-13-01"));
        assert_eq!(instrument(1).symbol, "AAPL");
        assert_eq!(instrument(9).symbol, "SYM9");
    }
}
