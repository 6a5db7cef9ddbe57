package sil

import (
	"context"

	"github.com/ponte-pagopa/ponte/gateway"
)

// The payment operations check the caller in three ways, as MyPay does.

// checkEnteInvia is paaSILInviaDovuti's step 1: ente, state, password,
// first failure wins. paaSILInviaCarrelloDovuti runs it with state false,
// and so do the flussi operations (MyPay's verificaEnte(cod, pw, false)).
func (s *Service) checkEnteInvia(ctx context.Context, codIpa, password string, state bool) (*gateway.Ente, *gateway.Error) {
	ente, err := s.cache.ente(ctx, s.enti, codIpa)
	if err != nil {
		return nil, systemError(err)
	}
	if ente == nil {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "codice IPA Ente [%s] non valido", codIpa)
	}
	if state && ente.State == gateway.EnteInserito {
		return nil, gateway.Errorf(gateway.CodeStatoEnteNonValido, "Stato Ente Non Valido")
	}
	if !s.auth.Check(ente.CodIpa, ente.PasswordHash, password) {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "Password non valida per ente [%s]", codIpa)
	}
	return ente, nil
}

// verificaEnte is MyPay's EnteService.verificaEnte, used by
// paaSILVerificaAvviso, paaSILChiediPagati and
// paaSILChiediEsitoCarrelloDovuti: every check runs and the last failing
// one is the answer, so an unknown ente is reported as a wrong password.
func (s *Service) verificaEnte(ctx context.Context, codIpa, password string) (*gateway.Ente, *gateway.Error) {
	ente, err := s.cache.ente(ctx, s.enti, codIpa)
	if err != nil {
		return nil, systemError(err)
	}
	var gerr *gateway.Error
	if ente == nil {
		gerr = gateway.Errorf(gateway.CodeEnteNonValido, "Codice IPA Ente [%s] non valido o password errata", codIpa)
	} else if ente.State == gateway.EnteInserito {
		gerr = gateway.Errorf(gateway.CodeEnteNonValido, "Stato Ente non valido: %s", codIpa)
	}
	if ente == nil || !s.auth.Check(ente.CodIpa, ente.PasswordHash, password) {
		gerr = gateway.Errorf(gateway.CodeEnteNonValido, "Password non valida per ente [%s]", codIpa)
	}
	return ente, gerr
}

// checkEnteRicevuta is paaSILChiediPagatiConRicevuta's check: ente and
// password, no state.
func (s *Service) checkEnteRicevuta(ctx context.Context, codIpa, password string) (*gateway.Ente, *gateway.Error) {
	ente, err := s.cache.ente(ctx, s.enti, codIpa)
	if err != nil {
		return nil, systemError(err)
	}
	if ente == nil {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "codice IPA Ente [%s] non valido o password errata", codIpa)
	}
	if !s.auth.Check(ente.CodIpa, ente.PasswordHash, password) {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "Password non valida per ente [%s]", ente.CodIpa)
	}
	return ente, nil
}
