/* Guest functions whose names pcemu's own PCI code also uses: renamed in
 * the host build of the guest code (forced in with -include) so both
 * link into one test program. */
#define pci_find guest_pci_find
