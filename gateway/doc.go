// Package gateway holds Ponte's domain: enti, tipi dovuto, dovuti, amounts,
// the journal and the one error type every boundary maps to a faultBean.
// It depends on nothing but the standard library; stores, the SOAP server
// and the pagoPA node client live in subpackages and in ../store.
package gateway
