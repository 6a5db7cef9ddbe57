package sil

import (
	"errors"
	"log/slog"

	"github.com/ponte-pagopa/ponte/gateway"
)

// faultOf is the one mapping from an error to the faultBean fields Ponte
// sends. A *gateway.Error goes out as it is; anything else becomes MyPay's
// generic PAA_SYSTEM_ERROR and its cause is only logged.
func (s *Service) faultOf(op, codIpa string, err error) *faultView {
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		s.log.Error("sil: internal error", slog.String("op", op), slog.String("codIpa", codIpa), slog.Any("err", err))
		ge = systemError(err)
	} else if ge.Err != nil || ge.Code == gateway.CodeSystemError {
		s.log.Warn("sil: fault", slog.String("op", op), slog.String("codIpa", codIpa),
			slog.String("faultCode", ge.Code), slog.String("faultString", ge.String), slog.Any("err", ge.Err))
	}
	return &faultView{Code: ge.Code, String: ge.String, ID: codIpa, Description: ge.Description, Serial: ge.Serial}
}

// faultView is a faultBean before it is put on the wire by mapping.go.
type faultView struct {
	Code, String, ID, Description string
	Serial                        *int
}

// systemError is MyPay's answer to an unexpected failure; err stays in the
// logs.
func systemError(err error) *gateway.Error {
	return &gateway.Error{
		Code:        gateway.CodeSystemError,
		String:      "PAA SYSTEM ERROR",
		Description: "Errore interno, riprovare più tardi",
		Err:         err,
	}
}
