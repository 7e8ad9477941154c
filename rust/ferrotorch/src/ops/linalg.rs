//! Matrix products, LAPACK-class functions and convolutions (groups E, G, H).
