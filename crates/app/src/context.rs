//! 请求上下文: who makes a request, as whom it is audited and on what day, passed to the use
//! cases as one value instead of three positional arguments.

use chrono::NaiveDate;
use minzheng_domain::Principal;
use minzheng_store::Actor;

/// 请求上下文 (request context): the signed-in account (its name, role and region: what it may
/// do and where), the actor its audit records name (with the request id and the client's
/// address), and the day the request is made on, from the server's one clock (工作日 and time
/// limits are counted from it). Built once per request by the server and once per command by
/// the CLI; the use cases check access against `who` and write their audit records as `actor`.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'a> {
    pub who: &'a Principal,
    pub actor: &'a Actor,
    pub today: NaiveDate,
}

impl<'a> RequestContext<'a> {
    pub fn new(who: &'a Principal, actor: &'a Actor, today: NaiveDate) -> RequestContext<'a> {
        RequestContext { who, actor, today }
    }
}
