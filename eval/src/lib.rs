//! remedy's measurement side: synthetic corpora for benchmarks (and, as it lands, the
//! fix-quality harness).

pub mod corpus;
pub mod violations;
