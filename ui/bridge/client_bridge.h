#pragma once
/** The GUI's handle on sluice::client::Client: sends, pool control, snapshots, events. */
#include <QList>
#include <QObject>
#include <QString>
#include <map>
#include <optional>
#include <memory>
#include <vector>

#include "engine/client/pool_types.h"
#include "engine/observe/event_buffer.h"
#include "ui/bridge/body_spill.h"
#include "ui/requests/request_spec.h"

namespace sluice::client {
class Client;
}

namespace sluice::ui {

class EventPump;
class GuiWaker;
class Transfer;

/** Per-send options that are not part of the saved request. */
struct SendOptions {
  size_t previewCap = 256 * 1024;  ///< body bytes kept for the preview
  QString saveTo;                  ///< stream the body into this file
  /** Keep the body on disk while it streams ("Save body as…" without sending again); unset: not kept. */
  std::optional<BodySpill::Options> keepBody;
  size_t streamRows = 10000;       ///< stream view rows kept per kind (the newest N)
};

/**
 * Owns the Client. Sends run on the client's loop; each Transfer reports changes
 * into one queue that wakes the GUI with a single queued call when it turns
 * non-empty. Pool events arrive in batches (poolEvents). Snapshots are taken on
 * the loop (snapshotAsync) and delivered by snapshotReady().
 */
class ClientBridge : public QObject {
  Q_OBJECT
 public:
  explicit ClientBridge(QObject* parent = nullptr);
  ~ClientBridge() override;

  /** The client's event buffer size (events/clientCapacity when the client was made). */
  size_t eventCapacity() const;
  /** Starts a request. The returned transfer is already failed when the spec is unusable. */
  std::shared_ptr<Transfer> send(const RequestSpec& spec, const SendOptions& options = {});

  void flushIdle();
  void closeAll();
  /** Drops every stream held by the leak policy: the engine records a leak for each. */
  void dropHeld();
  /** Streams the GUI holds on purpose (leak and late policies), oldest first. */
  QList<std::shared_ptr<Transfer>> held() const;
  int activeCount() const { return static_cast<int>(active_.size()); }

  /** Asks the loop for a pool snapshot; snapshotReady() follows. */
  void requestSnapshot();
  const client::PoolSnapshot& lastSnapshot() const { return snapshot_; }
  client::ClientStats stats() const;
  /**
   * Calls fn on the GUI thread once every release and close issued so far has been
   * applied by the engine (Client::whenSettled): stats() is then final.
   */
  void whenSettled(std::function<void()> fn);
  /** Pool events lost because the buffer was full, over every client this bridge had. */
  quint64 droppedEvents() const { return dropped_; }

  client::PoolLimits limits() const;
  /** New pool limits for the live client: busy connections are kept, waiters may go. */
  void setLimits(const client::PoolLimits& limits);
  /**
   * Replaces the Client with a new one with these limits: every connection of the
   * old client is closed and its streams fail (a clean slate for a scenario).
   */
  void restart(const client::PoolLimits& limits);

 signals:
  void transferChanged(std::shared_ptr<sluice::ui::Transfer> transfer);
  void poolEvents(const std::vector<sluice::observe::Event>& events);
  /** Events were lost after the last poolEvents batch (newly), droppedEvents() in all. */
  void poolEventsDropped(quint64 newly);
  void snapshotReady();
  void clientRestarted();
  void heldChanged();

 private slots:
  void drainChanges();
  void takeSnapshot();

 private:
  void createClient(const client::PoolLimits& limits);
  void destroyClient();

  struct ChangeQueue;
  struct SnapshotSlot;
  std::unique_ptr<client::Client> client_;
  EventPump* pump_ = nullptr;
  std::shared_ptr<ChangeQueue> changes_;
  std::shared_ptr<SnapshotSlot> snapSlot_;
  std::map<quint64, std::shared_ptr<Transfer>> active_;
  QList<std::shared_ptr<Transfer>> held_;
  client::PoolSnapshot snapshot_;
  quint64 nextLocalId_ = 1;
  quint64 dropped_ = 0;
};

}  // namespace sluice::ui
