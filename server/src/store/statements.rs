//! How many rows a multi-row statement carries.

/// Bound parameters per statement, well within SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMETERS: usize = 16_000;

/// Rows of `columns` values that fit in one statement.
pub fn rows_per_statement(columns: usize) -> usize {
    PARAMETERS / columns.max(1)
}
