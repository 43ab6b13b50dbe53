# Issue 8 (overparam): sources of recon_engine and the recon tool, included at the end of
# engine/CMakeLists.txt (same directory scope as recon_engine and recon).
