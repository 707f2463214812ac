//! Tables filled at execution time, so that a one-household check can run physical plans made
//! once.
//!
//! A check runs three views and every program over a few rows. Planning them (even from
//! optimised logical plans) cost more than running them, so the check's physical plans are made
//! once, over [`SlotTable`]s: their scans ([`SlotExec`]) read the batches that the running check
//! has put in its [`Slots`], which travel in the task context's configuration. Each execution
//! starts from a copy of the plan with its run-time state reset
//! (`datafusion::physical_plan::execution_plan::reset_plan_states`, the same as recursive queries
//! use), so no hash table or filter of one check is seen by the next.
//!
//! This is a physical-level detail of checks only: sweeps and what-ifs still plan the same logical
//! plans over in-memory tables, which is what a distributed engine would be given.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::Session;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, Partitioning, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream};

/// The tables of one running check, by name.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    tables: Mutex<HashMap<String, Vec<RecordBatch>>>,
}

impl Slots {
    pub(crate) fn put(&self, name: &str, batches: Vec<RecordBatch>) {
        // A poisoned lock still holds whole entries (each insert is one call).
        self.tables.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), batches);
    }

    fn get(&self, name: &str) -> Option<Vec<RecordBatch>> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner()).get(name).cloned()
    }
}

/// A table whose rows are those the running check put in its slot of the same name.
#[derive(Debug)]
pub(crate) struct SlotTable {
    name: String,
    schema: SchemaRef,
}

impl SlotTable {
    pub(crate) fn new(name: &str, schema: SchemaRef) -> SlotTable {
        SlotTable { name: name.to_string(), schema }
    }
}

#[async_trait]
impl TableProvider for SlotTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = match projection {
            Some(p) => Arc::new(self.schema.project(p)?),
            None => self.schema.clone(),
        };
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(Arc::new(SlotExec { name: self.name.clone(), schema, projection: projection.cloned(), properties: Arc::new(properties) }))
    }
}

/// The scan of a [`SlotTable`]: one partition, the slot's batches as they are (projected).
#[derive(Debug)]
pub(crate) struct SlotExec {
    name: String,
    schema: SchemaRef,
    projection: Option<Vec<usize>>,
    properties: Arc<PlanProperties>,
}

impl DisplayAs for SlotExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "SlotExec: name={}", self.name)
    }
}

impl ExecutionPlan for SlotExec {
    fn name(&self) -> &str {
        "SlotExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(&self, _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(self: Arc<Self>, _children: Vec<Arc<dyn ExecutionPlan>>) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(&self, partition: usize, context: Arc<TaskContext>) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!("SlotExec {} has one partition, not {partition}", self.name)));
        }
        let slots = context
            .session_config()
            .get_extension::<Slots>()
            .ok_or_else(|| DataFusionError::Internal(format!("no slots in the task context for table {}", self.name)))?;
        let batches =
            slots.get(&self.name).ok_or_else(|| DataFusionError::Internal(format!("the check did not provide table {}", self.name)))?;
        let batches = match &self.projection {
            Some(p) => batches.iter().map(|b| b.project(p)).collect::<std::result::Result<Vec<_>, _>>()?,
            None => batches,
        };
        Ok(Box::pin(MemoryStream::try_new(batches, self.schema.clone(), None)?))
    }
}
