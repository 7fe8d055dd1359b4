// Built into every target of a SLUICE_SANITIZE=thread build (see Sanitizers.cmake).
// Qt is not built with TSan, so the synchronisation inside it is invisible: QTest's
// watchdog thread is torn down at exit with a QWaitCondition that TSan sees as
// racing. Only those frames are suppressed; nothing in engine/ or ui/ is.
extern "C" const char* __tsan_default_suppressions() {
  return "race:QWaitCondition::~QWaitCondition\n"
         "race:QTest::qRun\n";
}
