// Package rules holds the field rules that paaSILImportaDovuto and the CSV
// import flussi share, so a dovuto is judged the same way whichever door
// it comes in by (MyPay's Utilities.valida* and the step-8 normalisation).
// Pure functions, no I/O; the hot ones are loops rather than regexps
// because the import runs them on every row.
package rules
