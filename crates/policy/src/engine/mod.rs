//! The engine: features by SQL over a snapshot, programs compiled to one query each, evaluated by
//! Apache DataFusion for a whole city (sweep), one household (check) or changed parameters
//! (what-if). The three uses share the same compiled SQL; only the tables differ.
//!
//! The queries use plain SQL over registered tables (no user-defined functions, no in-process
//! callbacks), so the same logical plans can be sent to a Ballista cluster.

use crate::defs::{Area, LinkWhen, PolicyError, PolicySet, Program, Unit};
use crate::params::{in_force, ParameterRecord};
use crate::slots::{SlotTable, Slots};
use crate::snapshot::{Snapshot, SnapshotBuilder, Table};
use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, Int32Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Int64Type, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::Transformed;
use datafusion::datasource::{provider_as_source, MemTable, TableProvider};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::execution_plan::reset_plan_states;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

mod results;
pub use results::*;

/// What can go wrong while evaluating (not the policy files: those are [`PolicyError`]).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("query engine: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
    #[error("arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    #[error("{0}")]
    Policy(#[from] PolicyError),
    #[error("no program {0:?}")]
    NoProgram(String),
    #[error("a compiled plan reads table {0:?}, which this evaluation does not provide")]
    UnboundTable(String),
}

/// A compiled policy: the folder's rules, each program's query, checked against the snapshot
/// schema once.
#[derive(Debug, Clone)]
pub struct Engine {
    pub policy: PolicySet,
    /// Program code → its query.
    queries: BTreeMap<String, String>,
    /// The views and programs planned and optimised once (when the engine is built); each
    /// evaluation binds its own tables into them.
    plans: Plans,
    partitions: usize,
    /// The physical plans of a one-household check, made once (see [`crate::slots`]).
    check: Option<Arc<CheckPlans>>,
}

/// A check's views and programs as physical plans over [`SlotTable`]s, in evaluation order.
struct CheckPlans {
    views: Vec<(String, Arc<dyn ExecutionPlan>)>,
    programs: Vec<(String, Unit, Arc<dyn ExecutionPlan>)>,
    task: Arc<TaskContext>,
}

impl std::fmt::Debug for CheckPlans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckPlans").field("views", &self.views.len()).field("programs", &self.programs.len()).finish()
    }
}

/// Optimised logical plans by view name and by program code.
#[derive(Debug, Clone, Default)]
struct Plans {
    views: BTreeMap<String, LogicalPlan>,
    programs: BTreeMap<String, LogicalPlan>,
}

/// One evaluation's session: its tables, and the compiled plans run over them.
struct Session {
    ctx: SessionContext,
    tables: HashMap<String, Arc<dyn TableProvider>>,
}

impl Session {
    /// A session for `partitions` parallel partitions; with one (a single household's check)
    /// nothing is repartitioned, which saves the hand-offs between threads.
    fn new(partitions: usize) -> Session {
        let config = SessionConfig::new()
            .with_target_partitions(partitions)
            .with_repartition_joins(partitions > 1)
            .with_repartition_aggregations(partitions > 1)
            .with_batch_size(16 * 1024)
            .with_information_schema(false);
        Session { ctx: SessionContext::new_with_config(config), tables: HashMap::new() }
    }

    fn register(&mut self, table: &Table) -> Result<(), EngineError> {
        let mem: Arc<dyn TableProvider> = Arc::new(MemTable::try_new(table.schema.clone(), table.partitions.clone())?);
        self.ctx.deregister_table(table.name.as_str())?;
        self.ctx.register_table(table.name.as_str(), mem.clone())?;
        self.tables.insert(table.name.clone(), mem);
        Ok(())
    }

    /// Registers a table whose rows the running check provides (see [`crate::slots`]).
    fn register_slot(&mut self, name: &str, schema: SchemaRef) -> Result<(), EngineError> {
        let slot: Arc<dyn TableProvider> = Arc::new(SlotTable::new(name, schema));
        self.ctx.deregister_table(name)?;
        self.ctx.register_table(name, slot.clone())?;
        self.tables.insert(name.to_string(), slot);
        Ok(())
    }

    /// Plans and optimises SQL text over this session's tables.
    async fn plan(&self, sql: &str) -> Result<LogicalPlan, datafusion::error::DataFusionError> {
        self.ctx.sql(sql).await?.into_optimized_plan()
    }

    /// A compiled plan with this session's tables in place of the ones it was planned over.
    fn bind(&self, plan: &LogicalPlan) -> Result<LogicalPlan, EngineError> {
        let mut missing = None;
        let bound = plan
            .clone()
            .transform_up_with_subqueries(|node| match node {
                LogicalPlan::TableScan(mut scan) => match self.tables.get(scan.table_name.table()) {
                    Some(provider) => {
                        scan.source = provider_as_source(provider.clone());
                        Ok(Transformed::yes(LogicalPlan::TableScan(scan)))
                    }
                    None => {
                        missing = Some(scan.table_name.to_string());
                        Ok(Transformed::no(LogicalPlan::TableScan(scan)))
                    }
                },
                other => Ok(Transformed::no(other)),
            })?
            .data;
        match missing {
            Some(name) => Err(EngineError::UnboundTable(name)),
            None => Ok(bound),
        }
    }

    /// The physical plan of an optimised logical plan.
    async fn physical(&self, plan: &LogicalPlan) -> Result<Arc<dyn ExecutionPlan>, EngineError> {
        let state = self.ctx.state();
        Ok(state.query_planner().create_physical_plan(plan, &state).await?)
    }

    /// Runs an optimised plan (physical planning only) and returns its batches with the schema
    /// of the physical plan (the batches' own, which a table built from them must carry).
    async fn run(&self, plan: &LogicalPlan) -> Result<(SchemaRef, Vec<RecordBatch>), EngineError> {
        let physical = self.physical(plan).await?;
        let schema = physical.schema();
        let batches = datafusion::physical_plan::collect(physical, self.ctx.task_ctx()).await?;
        Ok((schema, batches))
    }
}

impl Engine {
    /// Compiles a policy folder: every view, condition and formula is planned against an empty
    /// snapshot, so that a mistake in the SQL is refused here with its file and line.
    pub async fn new(policy: PolicySet, partitions: usize) -> Result<Engine, PolicyError> {
        let mut queries = BTreeMap::new();
        let unit_of = |code: &str| policy.program(code).map(|p| p.unit).unwrap_or(Unit::Person);
        for p in &policy.programs {
            queries.insert(p.code.clone(), program_sql(p, &unit_of));
        }
        let mut engine = Engine { policy, queries, plans: Plans::default(), partitions: partitions.max(1), check: None };
        engine.plans = engine.validate().await?;
        let check = engine.check_plans().await.map_err(|e| {
            let src = engine.policy.source("features");
            PolicyError::at(src, "[[view]]", format!("check plans: {e}"), format!("单户核算计划：{e}"))
        })?;
        engine.check = check.map(Arc::new);
        Ok(engine)
    }

    /// Whether one-household checks run physical plans made once (false when a feature view has
    /// a scalar subquery: its results are shared by every copy of a plan, so each check plans
    /// anew).
    pub fn checks_reuse_plans(&self) -> bool {
        self.check.is_some()
    }

    /// Keeps only some programs (for costing or benchmarks); references to programs left out are
    /// dropped, except `requires`, which is refused.
    pub async fn with_programs(&self, codes: &[&str]) -> Result<Engine, EngineError> {
        let mut policy = self.policy.clone();
        for c in codes {
            if policy.program(c).is_none() {
                return Err(EngineError::NoProgram(c.to_string()));
            }
        }
        policy.programs.retain(|p| codes.contains(&p.code.as_str()));
        for p in &mut policy.programs {
            if let Some(r) = p.requires.iter().find(|r| !codes.contains(&r.as_str())) {
                return Err(EngineError::NoProgram(format!("{} (required by {})", r, p.code)));
            }
            // A link to who is enrolled reads the enrolments and stays; one to the result of a
            // program left out goes.
            let kept = |l: &crate::ProgramLink| l.when == LinkWhen::Enrolled || codes.contains(&l.program.as_str());
            p.excluded_by.retain(kept);
            p.offset_by.retain(kept);
        }
        // The monitoring's rules that read a program left out go with it.
        let kept: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        let reads_kept = |sql: &str| {
            PolicySet::references(sql).1.iter().all(|id| {
                !["eligible_", "amount_", "enrolled_"].iter().any(|p| id.starts_with(p)) || crate::warnings::is_event_column(id, &kept)
            })
        };
        policy.categories.retain(|c| reads_kept(&c.condition));
        policy.warnings.retain(|w| reads_kept(&w.condition) && reads_kept(&w.occurrence));
        Ok(Engine::new(policy, self.partitions).await?)
    }

    /// Plans every view and program against an empty snapshot: a mistake in the SQL is refused
    /// with its file and line, and the optimised plans are kept for every later evaluation.
    async fn validate(&self) -> Result<Plans, PolicyError> {
        let empty = SnapshotBuilder::new().finish(1);
        let fsrc = self.policy.source("features");
        let on = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let mut plans = Plans::default();
        let (features, mut session) = self.features_in(&empty, on, 1, Some(&mut plans)).await.map_err(|e| match e {
            EngineError::Policy(p) => p,
            other => PolicyError::at(fsrc, "[[view]]", other.to_string(), other.to_string()),
        })?;
        for view in ["household_features", "person_features"] {
            if features.view(view).is_none() {
                return Err(PolicyError::at(fsrc, "[[view]]", format!("no view named {view}"), format!("缺少视图 {view}")));
            }
        }
        let reads_enrolments =
            self.policy.programs.iter().flat_map(|p| p.excluded_by.iter().chain(&p.offset_by)).any(|l| l.when == LinkWhen::Enrolled);
        let enrolled_columns = ["pid", "hid", "program", "paid", "share"];
        if reads_enrolments
            && !features.view("enrolled").is_some_and(|t| enrolled_columns.iter().all(|c| t.schema.field_with_name(c).is_ok()))
        {
            return Err(PolicyError::at(
                fsrc,
                "[[view]]",
                "a program links to who is enrolled (when = \"enrolled\"), and no view named enrolled gives pid, hid, program, paid and share",
                "有项目按在保记录关联（when = \"enrolled\"），但缺少给出 pid、hid、program、paid、share 的视图 enrolled",
            ));
        }
        let has = |view: &str, column: &str| features.view(view).is_some_and(|t| t.schema.field_with_name(column).is_ok());
        for f in &self.policy.features {
            if !has("person_features", &f.name) && !has("household_features", &f.name) {
                return Err(PolicyError::at(
                    fsrc,
                    &format!("\"{}\"", f.name),
                    format!("feature {:?} is a column of neither person_features nor household_features", f.name),
                    format!("特征“{}”既不是 person_features 也不是 household_features 的列", f.name),
                ));
            }
        }
        let params = self.params(&[], &[], on);
        session.register(&params.table).map_err(|e| PolicyError::at(fsrc, "[[view]]", e.to_string(), e.to_string()))?;
        for p in &self.policy.programs {
            let src = self.policy.source(&p.code);
            // Each rule alone first, for a precise message.
            let mut rules = vec![("population", p.population.as_str(), true)];
            rules.extend(p.conditions.iter().map(|c| (c.name.as_str(), c.sql.as_str(), true)));
            rules.push(("amount", p.amount.sql.as_str(), false));
            for (rule, sql, boolean) in rules {
                let q =
                    format!("SELECT ({sql}) AS v FROM {} f JOIN params p ON f.county = p.p_county AND f.rural = p.p_rural", p.unit.view());
                let plan = session.ctx.sql(&q).await.map_err(|e| {
                    PolicyError::at(
                        src,
                        sql,
                        format!("{rule}: {}", first_line(&e.to_string())),
                        format!("{rule}：SQL 错误：{}", first_line(&e.to_string())),
                    )
                })?;
                let dt = plan.schema().field(0).data_type().clone();
                let ok = if boolean { dt == DataType::Boolean || dt == DataType::Null } else { dt.is_integer() || dt == DataType::Null };
                if !ok {
                    return Err(PolicyError::at(
                        src,
                        sql,
                        format!(
                            "{rule}: the expression is {dt}, not {}",
                            if boolean { "a condition (true/false)" } else { "a whole number of fen" }
                        ),
                        format!("{rule}：表达式类型为 {dt}，应为{}", if boolean { "条件（真/假）" } else { "以分计的整数" }),
                    ));
                }
            }
            let sql = self.queries.get(&p.code).map(String::as_str).unwrap_or_default();
            let plan = session.plan(sql).await.map_err(|e| PolicyError::at(src, "code", e.to_string(), e.to_string()))?;
            let (schema, batches) = session.run(&plan).await.map_err(|e| PolicyError::at(src, "code", e.to_string(), e.to_string()))?;
            plans.programs.insert(p.code.clone(), plan);
            let table = Table::from_batches(&format!("result_{}", p.code), schema, batches, 1);
            session.register(&table).map_err(|e| PolicyError::at(src, "code", e.to_string(), e.to_string()))?;
        }
        self.validate_warnings(&mut session).await?;
        Ok(plans)
    }

    /// The program codes, in evaluation order.
    pub fn program_codes(&self) -> Vec<String> {
        self.policy.programs.iter().map(|p| p.code.clone()).collect()
    }

    /// Plans every category and warning rule of `warnings.toml` over the features, an empty
    /// events table and the parameters: a condition must be true/false, an occurrence a whole
    /// number.
    async fn validate_warnings(&self, session: &mut Session) -> Result<(), PolicyError> {
        let src = self.policy.source("warnings");
        let codes = self.program_codes();
        let events = Table::from_batches("events", crate::warnings::events_schema(&codes), Vec::new(), 1);
        session.register(&events).map_err(|e| PolicyError::at(src, "[[rule]]", e.to_string(), e.to_string()))?;
        let mut checks: Vec<(&str, &str, bool)> = Vec::new();
        for c in &self.policy.categories {
            checks.push((c.code.as_str(), c.condition.as_str(), true));
        }
        for w in &self.policy.warnings {
            checks.push((w.code.as_str(), w.condition.as_str(), true));
            checks.push((w.code.as_str(), w.occurrence.as_str(), false));
        }
        for (code, sql, boolean) in checks {
            let q = format!(
                "SELECT ({sql}) AS v FROM person_features f JOIN events e ON e.pid = f.pid JOIN params p ON f.county = p.p_county AND f.rural = p.p_rural"
            );
            let plan = session.ctx.sql(&q).await.map_err(|e| {
                PolicyError::in_block(
                    src,
                    code,
                    sql,
                    format!("{code}: {}", first_line(&e.to_string())),
                    format!("{code}：SQL 错误：{}", first_line(&e.to_string())),
                )
            })?;
            let dt = plan.schema().field(0).data_type().clone();
            let ok = if boolean { dt == DataType::Boolean || dt == DataType::Null } else { dt.is_integer() };
            if !ok {
                return Err(PolicyError::in_block(
                    src,
                    code,
                    sql,
                    format!("{code}: the expression is {dt}, not {}", if boolean { "a condition (true/false)" } else { "a whole number" }),
                    format!("{code}：表达式类型为 {dt}，应为{}", if boolean { "条件（真/假）" } else { "整数" }),
                ));
            }
        }
        Ok(())
    }

    /// 动态监测: every category's members and the warnings of the rules `rules` (indexes into
    /// the policy's rules; all when None) over materialised features, the events table (see
    /// [`crate::warnings::Events`]) and a parameter set. A household rule gives one warning per
    /// household (its first member in the snapshot).
    pub async fn monitor(
        &self,
        features: &Features,
        params: &ParamSet,
        events: &Table,
        rules: Option<&[usize]>,
    ) -> Result<crate::warnings::Monitoring, EngineError> {
        use crate::warnings::{hits_of, rule_sql, Monitoring};
        let mut session = Session::new(self.partitions);
        for t in &features.views {
            if t.name == "person_features" {
                session.register(t)?;
            }
        }
        session.register(&params.table)?;
        session.register(events)?;
        let mut out = Monitoring::default();
        for (i, c) in self.policy.categories.iter().enumerate() {
            let plan = session.plan(&rule_sql(&c.condition, None)).await?;
            let (_, batches) = session.run(&plan).await?;
            let mut hits = Vec::new();
            hits_of(i, &batches, &mut hits);
            out.members.extend(hits.into_iter().map(|h| (i, h.pid)));
        }
        for (i, w) in self.policy.warnings.iter().enumerate() {
            if rules.is_some_and(|r| !r.contains(&i)) {
                continue;
            }
            let plan = session.plan(&rule_sql(&w.condition, Some(&w.occurrence))).await?;
            let (_, batches) = session.run(&plan).await?;
            let mut hits = Vec::new();
            hits_of(i, &batches, &mut hits);
            if w.unit == Unit::Household {
                hits.sort_by_key(|h| (h.hid, h.occurrence, h.pid));
                hits.dedup_by_key(|h| (h.hid, h.occurrence));
            }
            out.hits.extend(hits);
        }
        Ok(out)
    }

    /// Materialises the feature views for an evaluation date.
    pub async fn features(&self, snapshot: &Snapshot, on: NaiveDate) -> Result<Features, EngineError> {
        self.features_with(snapshot, on, self.partitions).await
    }

    pub(crate) async fn features_with(&self, snapshot: &Snapshot, on: NaiveDate, partitions: usize) -> Result<Features, EngineError> {
        Ok(self.features_in(snapshot, on, partitions, None).await?.0)
    }

    /// The views over a snapshot, by their compiled plans (or, when `compiling`, planned from
    /// their SQL and recorded); returns the session too, with every view registered.
    async fn features_in(
        &self,
        snapshot: &Snapshot,
        on: NaiveDate,
        partitions: usize,
        mut compiling: Option<&mut Plans>,
    ) -> Result<(Features, Session), EngineError> {
        let mut session = Session::new(partitions);
        for t in &snapshot.tables {
            session.register(t)?;
        }
        session.register(&evaluation(on)?)?;
        let fsrc = self.policy.source("features");
        let mut views = Vec::new();
        for v in &self.policy.views {
            let plan = match (self.plans.views.get(&v.name), compiling.as_deref_mut()) {
                (Some(plan), None) => session.bind(plan)?,
                (_, recorder) => {
                    let plan = session.plan(&v.sql).await.map_err(|e| {
                        PolicyError::at(
                            fsrc,
                            &v.sql,
                            format!("view {}: {}", v.name, first_line(&e.to_string())),
                            format!("视图 {}：SQL 错误：{}", v.name, first_line(&e.to_string())),
                        )
                    })?;
                    if let Some(r) = recorder {
                        r.views.insert(v.name.clone(), plan.clone());
                    }
                    plan
                }
            };
            let (schema, batches) = session.run(&plan).await?;
            let table = Table::from_batches(&v.name, schema, batches, partitions);
            session.register(&table)?;
            views.push(table);
        }
        let counties = counties_of(&views);
        Ok((Features { on, views, counties }, session))
    }

    /// Makes a check's physical plans over slot tables (one partition), from the compiled plans;
    /// none when a plan runs a subquery (DataFusion keeps a subquery's results in a container
    /// that every copy of the plan shares, so two checks at once would see each other's).
    async fn check_plans(&self) -> Result<Option<CheckPlans>, EngineError> {
        let mut session = Session::new(1);
        let on = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        for t in SnapshotBuilder::new().finish(1).tables.iter().chain([&evaluation(on)?]) {
            session.register_slot(&t.name, t.schema.clone())?;
        }
        let mut views = Vec::new();
        for v in &self.policy.views {
            let plan = self.plans.views.get(&v.name).ok_or_else(|| EngineError::UnboundTable(v.name.clone()))?;
            let physical = session.physical(&session.bind(plan)?).await?;
            session.register_slot(&v.name, physical.schema())?;
            views.push((v.name.clone(), physical));
        }
        session.register_slot("params", self.params(&[], &[], on).table.schema)?;
        let mut programs = Vec::new();
        for p in &self.policy.programs {
            let plan = self.plans.programs.get(&p.code).ok_or_else(|| EngineError::NoProgram(p.code.clone()))?;
            let physical = session.physical(&session.bind(plan)?).await?;
            session.register_slot(&format!("result_{}", p.code), physical.schema())?;
            programs.push((p.code.clone(), p.unit, physical));
        }
        fn has_subquery(plan: &Arc<dyn ExecutionPlan>) -> bool {
            plan.name() == "ScalarSubqueryExec" || plan.children().into_iter().any(has_subquery)
        }
        if views.iter().map(|(_, p)| p).chain(programs.iter().map(|(_, _, p)| p)).any(has_subquery) {
            return Ok(None);
        }
        Ok(Some(CheckPlans { views, programs, task: session.ctx.task_ctx() }))
    }

    /// Features, parameters and every program for the households of a small snapshot, by the
    /// check's physical plans (one partition; see [`crate::slots`]).
    pub(crate) async fn evaluate_small(
        &self,
        snapshot: &Snapshot,
        records: &[ParameterRecord],
        on: NaiveDate,
    ) -> Result<(Features, ParamSet, Run), EngineError> {
        let Some(plans) = &self.check else {
            let features = self.features_with(snapshot, on, 1).await?;
            let params = self.params(records, &features.counties, on);
            let run = self.evaluate_with(&features, &params, 1).await?;
            return Ok((features, params, run));
        };
        let slots = Arc::new(Slots::default());
        for t in &snapshot.tables {
            slots.put(&t.name, t.partitions.concat());
        }
        slots.put("evaluation", evaluation(on)?.partitions.concat());
        let base = &plans.task;
        let config = base.session_config().clone().with_extension(slots.clone());
        let task = Arc::new(TaskContext::new(
            None,
            base.session_id(),
            config,
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
            base.runtime_env(),
        ));
        let mut views = Vec::new();
        for (name, plan) in &plans.views {
            let plan = reset_plan_states(plan.clone())?;
            let schema = plan.schema();
            let batches = datafusion::physical_plan::collect(plan, task.clone()).await?;
            slots.put(name, batches.clone());
            views.push(Table::from_batches(name, schema, batches, 1));
        }
        let counties = counties_of(&views);
        let features = Features { on, views, counties };
        let params = self.params(records, &features.counties, on);
        slots.put("params", params.table.partitions.concat());
        let mut programs = Vec::new();
        for (code, unit, plan) in &plans.programs {
            let batches = datafusion::physical_plan::collect(reset_plan_states(plan.clone())?, task.clone()).await?;
            slots.put(&format!("result_{code}"), batches.clone());
            programs.push(ProgramRun { code: code.clone(), unit: *unit, batches });
        }
        Ok((features, params, Run { on, programs }))
    }

    /// Resolves every parameter for every (county, area) on a date.
    pub fn params(&self, records: &[ParameterRecord], counties: &[(String, Area)], on: NaiveDate) -> ParamSet {
        let mut fields = vec![Field::new("p_county", DataType::Int32, false), Field::new("p_rural", DataType::Boolean, false)];
        fields.extend(self.policy.parameters.iter().map(|p| Field::new(&p.name, DataType::Int64, true)));
        let schema = Arc::new(Schema::new(fields));
        let mut used = BTreeMap::new();
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from_iter_values(counties.iter().map(|(c, _)| c.parse().unwrap_or(0)))),
            Arc::new(BooleanArray::from(counties.iter().map(|(_, a)| *a == Area::Rural).collect::<Vec<_>>())),
        ];
        for (county, area) in counties {
            used.insert((county.clone(), *area), BTreeMap::new());
        }
        for p in &self.policy.parameters {
            let mut values = Vec::with_capacity(counties.len());
            for (county, area) in counties {
                let r = in_force(records, &p.name, county, *area, on);
                if let (Some(r), Some(m)) = (r, used.get_mut(&(county.clone(), *area))) {
                    m.insert(p.name.clone(), r.clone());
                }
                values.push(r.map(|r| r.value));
            }
            columns.push(Arc::new(Int64Array::from(values)));
        }
        let batch = match RecordBatch::try_new(schema.clone(), columns) {
            Ok(b) => b,
            // One column per field, each of the same length: a mismatch is a bug here.
            #[allow(clippy::panic, reason = "one column per field, each of the same length")]
            Err(e) => panic!("parameter table: {e}"),
        };
        ParamSet { on, table: Table { name: "params".into(), schema, partitions: vec![vec![batch]] }, used }
    }

    /// Evaluates every program over materialised features with a parameter set.
    pub async fn evaluate(&self, features: &Features, params: &ParamSet) -> Result<Run, EngineError> {
        self.evaluate_with(features, params, self.partitions).await
    }

    pub(crate) async fn evaluate_with(&self, features: &Features, params: &ParamSet, partitions: usize) -> Result<Run, EngineError> {
        let mut session = Session::new(partitions);
        for t in &features.views {
            if ["household_features", "person_features", "enrolled"].contains(&t.name.as_str()) {
                session.register(t)?;
            }
        }
        session.register(&params.table)?;
        let mut programs = Vec::new();
        for p in &self.policy.programs {
            let plan = match self.plans.programs.get(&p.code) {
                Some(plan) => session.bind(plan)?,
                None => session.plan(self.queries.get(&p.code).ok_or_else(|| EngineError::NoProgram(p.code.clone()))?).await?,
            };
            let (schema, batches) = session.run(&plan).await?;
            let table = Table::from_batches(&format!("result_{}", p.code), schema, batches.clone(), partitions);
            session.register(&table)?;
            programs.push(ProgramRun { code: p.code.clone(), unit: p.unit, batches });
        }
        Ok(Run { on: features.on, programs })
    }

    /// The SQL a program compiles to (shown by `minzheng policy show`).
    pub fn query(&self, code: &str) -> Option<&str> {
        self.queries.get(code).map(String::as_str)
    }
}

/// The one-row table of the evaluation date.
fn evaluation(on: NaiveDate) -> Result<Table, EngineError> {
    let schema = Arc::new(Schema::new(vec![Field::new("eval_ymd", DataType::Int32, false)]));
    let eval = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int32Array::from(vec![ymd(on)])) as ArrayRef])?;
    Ok(Table { name: "evaluation".into(), schema, partitions: vec![vec![eval]] })
}

/// Every (county, area) of the household features.
fn counties_of(views: &[Table]) -> Vec<(String, Area)> {
    let mut counties = std::collections::BTreeSet::new();
    if let Some(h) = views.iter().find(|t| t.name == "household_features") {
        for b in h.partitions.iter().flatten() {
            if let (Some(c), Some(r)) = (column::<Int32Type>(b, "county"), b.column_by_name("rural").map(|c| c.as_boolean())) {
                for i in 0..b.num_rows() {
                    counties.insert((c.value(i).to_string(), if r.value(i) { Area::Rural } else { Area::Urban }));
                }
            }
        }
    }
    counties.into_iter().collect()
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().chars().take(300).collect()
}

/// The query of one program. Columns: unit (pid or hid), hid, county, rural, one `c_<i>` per
/// condition, `rq_<i>` per required program, `ex_<i>` per excluding program, `off_<i>` per offset,
/// raw_amount (the formula), eligible, amount (after offsets, 0 unless eligible) and share (the
/// amount per member, for programs that offset against this one).
pub(crate) fn program_sql(p: &Program, unit_of: &dyn Fn(&str) -> Unit) -> String {
    let (unit_col, members) = match p.unit {
        Unit::Household => ("f.hid", "f.members"),
        Unit::Person => ("f.pid", "1"),
    };
    let mut base_cols = vec![
        format!("{unit_col} AS unit"),
        "f.hid".into(),
        "f.county".into(),
        "f.rural".into(),
        format!("CAST({members} AS BIGINT) AS unit_members"),
    ];
    for (i, c) in p.conditions.iter().enumerate() {
        base_cols.push(format!("COALESCE(({}), false) AS c_{i}", c.sql));
    }
    base_cols.push(format!("CAST(({}) AS BIGINT) AS raw_amount", p.amount.sql));
    let base = format!(
        "SELECT {} FROM {} f JOIN params p ON f.county = p.p_county AND f.rural = p.p_rural WHERE COALESCE(({}), false)",
        base_cols.join(", "),
        p.unit.view(),
        p.population
    );
    let mut cols = vec!["b.unit".to_string(), "b.hid".into(), "b.county".into(), "b.rural".into()];
    let mut tests: Vec<String> = (0..p.conditions.len()).map(|i| format!("b.c_{i}")).collect();
    cols.extend(tests.clone());
    let mut joins = Vec::new();
    // Another program's results are matched by household when either side is for households,
    // by person when both are for persons.
    let keys = |code: &str| {
        if unit_of(code) == Unit::Household || p.unit == Unit::Household {
            ("hid", "b.hid")
        } else {
            ("unit", "b.unit")
        }
    };
    for (i, code) in p.requires.iter().enumerate() {
        let (k, bk) = keys(code);
        joins.push(format!("LEFT JOIN (SELECT DISTINCT {k} AS k FROM result_{code} WHERE eligible) rq{i} ON rq{i}.k = {bk}"));
        let test = format!("(rq{i}.k IS NOT NULL)");
        cols.push(format!("{test} AS rq_{i}"));
        tests.push(test);
    }
    // Who is enrolled in a program on the date, from the `enrolled` view (pid, hid, program,
    // share): by person, by household, or the counted members of each household.
    let enrolled_in =
        |code: &str, key: &str| format!("SELECT DISTINCT {key} AS k FROM enrolled WHERE program = '{}'", code.replace('\'', "''"));
    for (i, link) in p.excluded_by.iter().enumerate() {
        let code = link.program.as_str();
        let every_member = p.unit == Unit::Household && unit_of(code) == Unit::Person;
        let test = if link.when == LinkWhen::Enrolled {
            if every_member {
                joins.push(format!(
                    "LEFT JOIN (SELECT m.hid AS k, COUNT(DISTINCT m.pid) AS n FROM person_features m JOIN ({}) e ON e.k = m.pid \
                     WHERE m.counted GROUP BY m.hid) ex{i} ON ex{i}.k = b.hid",
                    enrolled_in(code, "pid")
                ));
                format!("(NOT COALESCE(ex{i}.n >= b.unit_members, false))")
            } else {
                let (key, bk) = if p.unit == Unit::Household { ("hid", "b.hid") } else { ("pid", "b.unit") };
                joins.push(format!("LEFT JOIN ({}) ex{i} ON ex{i}.k = {bk}", enrolled_in(code, key)));
                format!("(ex{i}.k IS NULL)")
            }
        } else if every_member {
            // A household is excluded when every counted member is in the other program.
            joins.push(format!(
                "LEFT JOIN (SELECT hid AS k, COUNT(*) AS n FROM result_{code} WHERE eligible GROUP BY hid) ex{i} ON ex{i}.k = b.hid"
            ));
            format!("(NOT COALESCE(ex{i}.n >= b.unit_members, false))")
        } else {
            let (k, bk) = keys(code);
            joins.push(format!("LEFT JOIN (SELECT DISTINCT {k} AS k FROM result_{code} WHERE eligible) ex{i} ON ex{i}.k = {bk}"));
            format!("(ex{i}.k IS NULL)")
        };
        cols.push(format!("{test} AS ex_{i}"));
        tests.push(test);
    }
    let mut offsets = Vec::new();
    for (i, link) in p.offset_by.iter().enumerate() {
        let code = link.program.as_str();
        if link.when == LinkWhen::Enrolled {
            // The amount paid per member (the member's own, or the enrolment's shared out; a
            // suspended enrolment pays nothing; a person listed twice counts once).
            let (key, bk) = if p.unit == Unit::Household { ("hid", "b.hid") } else { ("pid", "b.unit") };
            joins.push(format!(
                "LEFT JOIN (SELECT {key} AS k, SUM(share) AS share FROM (SELECT pid, hid, MAX(share) AS share FROM enrolled \
                 WHERE program = '{}' AND paid GROUP BY pid, hid) m GROUP BY {key}) off{i} ON off{i}.k = {bk}",
                code.replace('\'', "''")
            ));
        } else {
            let (k, bk) = keys(code);
            joins.push(format!("LEFT JOIN (SELECT {k} AS k, share FROM result_{code} WHERE eligible) off{i} ON off{i}.k = {bk}"));
        }
        cols.push(format!("COALESCE(off{i}.share, 0) AS off_{i}"));
        offsets.push(format!(" - COALESCE(off{i}.share, 0)"));
    }
    let eligible = if tests.is_empty() { "true".to_string() } else { tests.join(" AND ") };
    cols.push("b.raw_amount".into());
    cols.push(format!("({eligible}) AS eligible"));
    let amount =
        format!("CASE WHEN ({eligible}) THEN GREATEST(b.raw_amount{}, CAST(0 AS BIGINT)) ELSE CAST(0 AS BIGINT) END", offsets.join(""));
    cols.push(format!("{amount} AS amount"));
    cols.push(format!("({amount}) / b.unit_members AS share"));
    format!("WITH b AS ({base}) SELECT {} FROM b {}", cols.join(", "), joins.join(" "))
}
