//! (lands with the request/catalog/cost/error work)
