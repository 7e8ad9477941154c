//! Links the system CBLAS when the `system-blas` feature is on (nothing otherwise).
//! `FERROTORCH_BLAS_LIB` names the library (default `openblas`; e.g. `blas`, `mkl_rt`),
//! `FERROTORCH_BLAS_DIR` adds a directory to the linker's search path.

fn main() {
    println!("cargo:rerun-if-env-changed=FERROTORCH_BLAS_LIB");
    println!("cargo:rerun-if-env-changed=FERROTORCH_BLAS_DIR");
    if std::env::var_os("CARGO_FEATURE_SYSTEM_BLAS").is_none() {
        return;
    }
    if let Some(dir) = std::env::var_os("FERROTORCH_BLAS_DIR") {
        println!("cargo:rustc-link-search=native={}", dir.to_string_lossy());
    }
    let lib = std::env::var("FERROTORCH_BLAS_LIB").unwrap_or_else(|_| "openblas".into());
    println!("cargo:rustc-link-lib=dylib={lib}");
}
