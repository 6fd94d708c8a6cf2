//! What the studio (`tuopin serve`, `tuopin user`) says: its API's error messages and its
//! start-up lines, in Chinese unless the request or the command asks for English.

use super::Lang;

fn t(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

pub fn login_required(lang: Lang) -> String {
    t(lang, "请先登录", "Please log in first")
}

pub fn not_allowed(lang: Lang, role: &str, needed: &str) -> String {
    match lang {
        Lang::Zh => format!("您的角色（{}）不能做这件事，需要“{}”角色", role_zh(role), role_zh(needed)),
        Lang::En => format!("Your role ({role}) cannot do this; it needs the {needed} role"),
    }
}

pub fn role_zh(role: &str) -> &'static str {
    match role {
        "viewer" => "查看",
        "editor" => "编辑",
        "approver" => "审批",
        _ => "本机用户",
    }
}

pub fn csrf_missing(lang: Lang) -> String {
    t(
        lang,
        "请求缺少有效的防伪令牌（X-CSRF-Token），已拒绝。请刷新页面后重试",
        "The request lacks a valid anti-forgery token (X-CSRF-Token) and was refused; reload the page and try again",
    )
}

pub fn wrong_login(lang: Lang) -> String {
    t(lang, "用户名或密码不对", "Wrong user name or password")
}

pub fn too_many_logins(lang: Lang, minutes: i64) -> String {
    match lang {
        Lang::Zh => format!("登录失败次数过多，请 {minutes} 分钟后再试"),
        Lang::En => format!("Too many failed logins; try again in {minutes} minutes"),
    }
}

pub fn too_large(lang: Lang, limit_kb: usize) -> String {
    match lang {
        Lang::Zh => format!("请求太大（上限 {limit_kb} KB）"),
        Lang::En => format!("The request is too large (limit {limit_kb} KB)"),
    }
}

pub fn bad_json(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Zh => format!("请求不是有效的 JSON：{detail}"),
        Lang::En => format!("The request is not valid JSON: {detail}"),
    }
}

pub fn bad_field(lang: Lang, what: &str, expected: &str) -> String {
    match lang {
        Lang::Zh => format!("请求中的“{what}”应为{expected}"),
        Lang::En => format!("`{what}` in the request should be {expected}"),
    }
}

pub fn not_found(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => format!("登记数据中没有代码为 {code} 的户、村或县"),
        Lang::En => format!("The register has no household, village or county with the code {code}"),
    }
}

pub fn input_errors(lang: Lang, errors: &[String]) -> String {
    match lang {
        Lang::Zh => format!("这户的数据有错误，未能评估：{}", errors.join("；")),
        Lang::En => format!("The household's data has errors; it was not evaluated: {}", errors.join("; ")),
    }
}

pub fn year_outside(lang: Lang, year: i32, from: i32, to: i32) -> String {
    match lang {
        Lang::Zh => format!("规则包只适用于 {from}–{to} 年，没有 {year} 年"),
        Lang::En => format!("The pack covers {from}–{to}, not {year}"),
    }
}

pub fn path_refused(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Zh => {
            format!("文件名 {path} 不在规则包文件夹内（只能是 person/、household/、village/、county/ 下的 .rhai 文件）")
        }
        Lang::En => format!(
            "The file name {path} is not inside the pack folder (only .rhai files under person/, household/, village/, county/)"
        ),
    }
}

pub fn internal(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::Zh => format!("服务器内部错误：{detail}"),
        Lang::En => format!("Internal error: {detail}"),
    }
}

pub fn refuse_open_address(lang: Lang, addr: &str, rules: &str) -> String {
    match lang {
        Lang::Zh => format!(
            "不在本机地址（{addr}）上启动：登记数据含身份证号和收入，其他地址必须先设账号。\n  先运行：tuopin user add 用户名 --role approver --rules {rules}"
        ),
        Lang::En => format!(
            "Not starting on {addr}: the register holds ID numbers and incomes, so any address but loopback needs accounts.\n  First run: tuopin user add NAME --role approver --rules {rules}"
        ),
    }
}

pub fn started(lang: Lang, url: &str, local: bool, households: usize) -> String {
    let who = match (lang, local) {
        (Lang::Zh, true) => "未设账号：本机使用，只有一个本机用户，拥有全部权限",
        (Lang::Zh, false) => "已设账号：需要登录",
        (Lang::En, true) => "no accounts: one local user with every right",
        (Lang::En, false) => "accounts set up: login required",
    };
    match lang {
        Lang::Zh => format!("规则工作台已启动：{url}\n  登记数据 {households} 户；{who}\n  按 Ctrl+C 停止"),
        Lang::En => {
            format!("The studio is running: {url}\n  register of {households} households; {who}\n  Ctrl+C stops it")
        }
    }
}

pub fn password_prompt(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Zh => format!("请输入 {name} 的密码（输入时不显示）："),
        Lang::En => format!("Password for {name} (not shown): "),
    }
}

pub fn password_too_short(lang: Lang) -> String {
    t(lang, "密码至少 8 个字符", "The password needs at least 8 characters")
}

pub fn bad_role(lang: Lang, role: &str) -> String {
    match lang {
        Lang::Zh => format!("角色 {role} 不存在：只能是 viewer（查看）、editor（编辑）或 approver（审批）"),
        Lang::En => format!("No role {role}: viewer, editor or approver"),
    }
}

pub fn user_saved(lang: Lang, name: &str, role: &str, db: &str) -> String {
    match lang {
        Lang::Zh => format!("已保存账号 {name}（{}），保存在 {db}", role_zh(role)),
        Lang::En => format!("Saved the account {name} ({role}) in {db}"),
    }
}

/// The local user's name (loopback, no accounts).
pub fn local_user(lang: Lang) -> String {
    t(lang, "本机用户", "local user")
}

/// The note of a version the studio found on disk.
pub fn version_found(lang: Lang, first: bool) -> String {
    match (lang, first) {
        (Lang::Zh, true) => "初始版本（工作台第一次启动时的规则包）".into(),
        (Lang::Zh, false) => "规则包文件夹在工作台之外被修改过，按磁盘上的内容记为新版本".into(),
        (Lang::En, true) => "First version (the pack when the studio first started)".into(),
        (Lang::En, false) => "The pack folder was changed outside the studio; recorded as found on disk".into(),
    }
}

pub fn conflict(lang: Lang, path: &str, who: &str, when: &str) -> String {
    match lang {
        Lang::Zh => format!("{path} 在您打开之后已被 {who} 于 {when} 修改；请先看他的修改再保存，您的内容未保存"),
        Lang::En => format!(
            "{path} was changed by {who} at {when} after you opened it; look at their change first; yours was not saved"
        ),
    }
}

pub fn conflict_published(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Zh => format!("{path} 在您打开之后已发布了新版本；请重新打开再修改，您的内容未保存"),
        Lang::En => format!("{path} was published anew after you opened it; reopen it first; yours was not saved"),
    }
}

pub fn draft_empty(lang: Lang) -> String {
    t(lang, "草稿没有任何修改，无需发布", "The draft has no changes to publish")
}

pub fn four_eyes(lang: Lang, who: &str) -> String {
    match lang {
        Lang::Zh => format!("标准的修改需要两个人：草稿只有 {who} 一人修改，不能由本人发布。请另一位审批人发布"),
        Lang::En => format!(
            "A change to the standards takes two people: the draft is {who}'s alone, who cannot publish it; another approver must"
        ),
    }
}

pub fn note_required(lang: Lang) -> String {
    t(lang, "发布或恢复时请写明说明（为什么修改）", "Write a note (why the change) to publish or restore")
}

pub fn draft_broken(lang: Lang, errors: &str) -> String {
    match lang {
        Lang::Zh => format!("草稿有错误，不能发布：\n{errors}"),
        Lang::En => format!("The draft has errors and cannot be published:\n{errors}"),
    }
}

pub fn no_version(lang: Lang, id: i64) -> String {
    match lang {
        Lang::Zh => format!("没有第 {id} 版"),
        Lang::En => format!("No version {id}"),
    }
}

pub fn restored_note(lang: Lang, id: i64, note: &str) -> String {
    match lang {
        Lang::Zh => format!("恢复第 {id} 版：{note}"),
        Lang::En => format!("Restore of version {id}: {note}"),
    }
}

pub fn no_county(lang: Lang, code: &str) -> String {
    match lang {
        Lang::Zh => format!("登记数据中没有县代码 {code}"),
        Lang::En => format!("The register has no county {code}"),
    }
}

/// `tuopin serve` made its working copy of the built-in pack.
pub fn studio_pack_made(lang: Lang, dir: &str, files: usize) -> String {
    match lang {
        Lang::Zh => format!(
            "已把内置湖南规则包（{files} 个文件，含测试案例）复制到 {dir}：工作台在这份副本上修改和发布，内置规则包不变"
        ),
        Lang::En => format!(
            "Copied the built-in Hunan pack ({files} files, with its cases) to {dir}: the studio edits and publishes this copy, never the built-in pack"
        ),
    }
}

/// The studio's database lock was poisoned by a failed request.
pub fn db_unusable(lang: Lang) -> String {
    t(
        lang,
        "工作台的数据库在上一次出错的请求之后无法使用，请重启工作台（tuopin serve）；已保存的草稿和版本不会丢失",
        "The studio's database cannot be used after a failed request; restart the studio (tuopin serve); saved drafts and versions are kept",
    )
}

/// What a whole number in a request should be.
pub fn whole_number(lang: Lang) -> String {
    t(lang, "整数（例如 2020）", "a whole number (such as 2020)")
}

/// The name of a table given in a request, for its input errors: `请求中的农户`.
pub fn request_table(lang: Lang, level: &str) -> String {
    match lang {
        Lang::Zh => format!("请求中的{}", super::book::level_sheet(lang, level)),
        Lang::En => format!("the request's {}", super::book::level_sheet(lang, level).to_lowercase()),
    }
}
