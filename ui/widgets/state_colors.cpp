#include "ui/widgets/state_colors.h"

namespace sluice::ui {

QColor stateColor(client::ConnState s) {
  using client::ConnState;
  switch (s) {
    case ConnState::kConnecting: return QColor(0x9a, 0x7f, 0xd1);
    case ConnState::kWriting: return QColor(0xe6, 0x91, 0x38);
    case ConnState::kAwaitingHead: return QColor(0xe0, 0xb4, 0x1e);
    case ConnState::kStreaming: return QColor(0x3d, 0x85, 0xc6);
    case ConnState::kDraining: return QColor(0x4f, 0xa8, 0xa0);
    case ConnState::kIdle: return QColor(0x6a, 0xa8, 0x4f);
    case ConnState::kClosed: return QColor(0x99, 0x99, 0x99);
  }
  return Qt::gray;
}

QColor tlsHandshakeColor() { return QColor(0xc0, 0x5f, 0xa8); }

QString stateLabel(client::ConnState s) {
  using client::ConnState;
  switch (s) {
    case ConnState::kConnecting: return QStringLiteral("connecting");
    case ConnState::kWriting: return QStringLiteral("writing");
    case ConnState::kAwaitingHead: return QStringLiteral("awaiting head");
    case ConnState::kStreaming: return QStringLiteral("streaming (held)");
    case ConnState::kDraining: return QStringLiteral("draining");
    case ConnState::kIdle: return QStringLiteral("idle");
    case ConnState::kClosed: return QStringLiteral("closed ✕");
  }
  return {};
}

}  // namespace sluice::ui
