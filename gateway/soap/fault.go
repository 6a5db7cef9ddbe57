package soap

// SOAP 1.1 fault codes, written with the soapenv prefix the encoder binds.
const (
	FaultClient          = "soapenv:Client"
	FaultServer          = "soapenv:Server"
	FaultVersionMismatch = "soapenv:VersionMismatch"
)

// Fault is a SOAP 1.1 fault. Detail, when set, is plain text sent as
// <detail><message>…</message></detail>.
//
// A *Fault is also an error: Decode and Request.DecodeBody return one for a
// message the caller got wrong, and a handler may return one to send that
// exact fault instead of the generic server fault.
type Fault struct {
	Code   string
	String string
	Detail string
	err    error // cause, for logs only
}

func (f *Fault) Error() string {
	s := f.Code + ": " + f.String
	if f.err != nil {
		s += ": " + f.err.Error()
	}
	return s
}

func (f *Fault) Unwrap() error { return f.err }

func clientFault(msg string, cause error) *Fault {
	return &Fault{Code: FaultClient, String: msg, err: cause}
}
