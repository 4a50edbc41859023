//! A generator of random queries over the upload-sessions model, for the differential
//! tests: filters (comparisons, null literals, functions, lambdas, counts, `in`, `not`),
//! `$orderby`, `$top`/`$skip`, `$count`, `$select`, `$expand` with nested options,
//! `$search`, `$compute`.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const STATUSES: [&str; 5] = ["'complete'", "'failed'", "'inProgress'", "'Complete'", "''"];
const SOURCES: [&str; 5] = ["'Workday'", "'AzureADB2C'", "'Okta'", "'x'", "'Sap'"];
const TEXTS: [&str; 7] = [
    "'Azure'",
    "'Sap'",
    "'a'",
    "'Enterprise'",
    "'%'",
    "'_'",
    "'o''k'",
];
const DATES: [&str; 4] = [
    "2025-01-01T00:00:00Z",
    "2026-01-01T00:00:00Z",
    "2025-06-15T12:30:00+02:00",
    "2024-03-01T00:00:00.5Z",
];

fn session_leaf(rng: &mut Rng, depth: u32) -> String {
    let op = *rng.pick(&["eq", "ne", "gt", "ge", "lt", "le"]);
    match rng.below(17) {
        0 => format!("status {op} {}", rng.pick(&STATUSES)),
        1 => format!("source {} {}", rng.pick(&["eq", "ne"]), rng.pick(&SOURCES)),
        2 => format!(
            "isUploadDone {} {}",
            rng.pick(&["eq", "ne"]),
            rng.pick(&["true", "false", "null"])
        ),
        3 => format!("createdDateTime {op} {}", rng.pick(&DATES)),
        4 => format!("stats/totalBytesUploaded {op} {}", rng.below(20_000_000)),
        5 => format!("stats/filesUploaded {op} {}", rng.below(9)),
        6 => format!(
            "(stats/filesUploaded add {}) mul 2 {op} {}",
            rng.below(3),
            rng.below(20)
        ),
        7 => format!(
            "{}(source,{})",
            rng.pick(&["contains", "startswith", "endswith"]),
            rng.pick(&TEXTS)
        ),
        8 => format!(
            "{} {} null",
            rng.pick(&[
                "status",
                "referenceId",
                "stats",
                "source",
                "createdDateTime"
            ]),
            rng.pick(&["eq", "ne"])
        ),
        9 => format!("year(createdDateTime) {op} {}", 2024 + rng.below(3)),
        10 => format!(
            "status in ({},{})",
            rng.pick(&STATUSES),
            rng.pick(&["'failed'", "null"])
        ),
        11 => format!("files/$count {op} {}", rng.below(6)),
        12 if depth < 2 => format!("files/any(f: {})", file_filter(rng, depth + 1, "f/")),
        13 if depth < 2 => format!("files/all(f: {})", file_filter(rng, depth + 1, "f/")),
        14 => format!("length(source) {op} {}", rng.below(20)),
        15 => format!("tolower(status) eq {}", rng.pick(&STATUSES)),
        _ => "files/any()".into(),
    }
}

fn file_leaf(rng: &mut Rng, prefix: &str) -> String {
    let op = *rng.pick(&["eq", "ne", "gt", "ge", "lt", "le"]);
    match rng.below(7) {
        0 => format!("{prefix}size {op} {}", rng.below(20_000_000)),
        1 => format!("{prefix}uploadedDateTime {op} {}", rng.pick(&DATES)),
        2 => format!(
            "contains({prefix}name,{})",
            rng.pick(&["'users'", "'.csv'", "'-1'", "'%'"])
        ),
        3 => format!(
            "startswith({prefix}name,{})",
            rng.pick(&["'users'", "'apps'", "'g'"])
        ),
        4 => format!("{prefix}size {} null", rng.pick(&["eq", "ne"])),
        5 => format!("{prefix}size mod {} eq 0", 2 + rng.below(5)),
        _ => format!(
            "{prefix}name {op} {}",
            rng.pick(&["'roles-1.csv'", "'m'", "'users'"])
        ),
    }
}

fn file_filter(rng: &mut Rng, depth: u32, prefix: &str) -> String {
    combine(rng, depth, &mut |rng, _| file_leaf(rng, prefix))
}

fn combine(rng: &mut Rng, depth: u32, leaf: &mut dyn FnMut(&mut Rng, u32) -> String) -> String {
    if depth >= 3 || rng.chance(45) {
        return leaf(rng, depth);
    }
    match rng.below(4) {
        0 => format!("not ({})", combine(rng, depth + 1, leaf)),
        1 => format!(
            "{} or {}",
            combine(rng, depth + 1, leaf),
            combine(rng, depth + 1, leaf)
        ),
        _ => format!(
            "({}) and ({})",
            combine(rng, depth + 1, leaf),
            combine(rng, depth + 1, leaf)
        ),
    }
}

pub fn session_filter(rng: &mut Rng) -> String {
    combine(rng, 0, &mut |rng, depth| session_leaf(rng, depth))
}

fn session_orderby(rng: &mut Rng) -> String {
    let keys = [
        "status",
        "createdDateTime",
        "stats/totalBytesUploaded",
        "source",
        "isUploadDone",
        "files/$count",
        "referenceId",
    ];
    let mut out = Vec::new();
    for _ in 0..1 + rng.below(2) {
        let key = rng.pick(&keys);
        out.push(if rng.chance(50) {
            format!("{key} desc")
        } else {
            (*key).to_owned()
        });
    }
    out.join(",")
}

fn expand(rng: &mut Rng) -> String {
    let mut options = Vec::new();
    if rng.chance(50) {
        options.push(format!("$filter={}", file_filter(rng, 1, "")));
    }
    if rng.chance(50) {
        let key = rng.pick(&["size", "name", "uploadedDateTime"]);
        options.push(format!(
            "$orderby={key}{}",
            if rng.chance(50) { " desc" } else { "" }
        ));
    }
    if rng.chance(30) {
        options.push(format!("$top={}", rng.below(4)));
    }
    if rng.chance(20) {
        options.push(format!("$skip={}", rng.below(3)));
    }
    if rng.chance(30) {
        options.push("$count=true".into());
    }
    if rng.chance(20) {
        options.push("$select=name,size".into());
    }
    if options.is_empty() {
        "files".into()
    } else {
        format!("files({})", options.join(";"))
    }
}

/// One random query string.
pub fn query(rng: &mut Rng) -> String {
    let mut options = Vec::new();
    if rng.chance(85) {
        options.push(format!("$filter={}", session_filter(rng)));
    }
    if rng.chance(50) {
        options.push(format!("$orderby={}", session_orderby(rng)));
    }
    if rng.chance(50) {
        options.push(format!("$top={}", rng.below(30)));
    }
    if rng.chance(30) {
        options.push(format!("$skip={}", rng.below(40)));
    }
    if rng.chance(40) {
        options.push("$count=true".into());
    }
    if rng.chance(10) {
        options.push(format!(
            "$search={}",
            rng.pick(&["Workday", "users", "OKTA", "complete OR failed", "NOT Sap"])
        ));
    }
    if rng.chance(10) {
        options.push("$compute=stats/filesUploaded mul 2 as twice".into());
        if rng.chance(50) {
            options.push("$select=id,twice".into());
        }
    } else if rng.chance(25) {
        let fields = [
            "id",
            "status",
            "stats/filesUploaded",
            "createdDateTime",
            "files",
            "data",
            "stats",
            "isUploadDone",
        ];
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let field = *rng.pick(&fields);
            if !chosen.contains(&field) {
                chosen.push(field);
            }
        }
        options.push(format!("$select={}", chosen.join(",")));
    }
    if rng.chance(35) {
        options.push(format!("$expand={}", expand(rng)));
    }
    options.join("&")
}
