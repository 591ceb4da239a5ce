//===- ConfigReader.cpp - Typed, located config.json members --------------===//

#include "ImportInternal.h"

#include "ssc/Support/Format.h"

#include <cmath>

using namespace ssc;
using namespace ssc::hf;
using llvm::StringRef;
using llvm::json::Value;

/// A JSON value as a message shows it: scalars spelled, containers named.
static std::string describe(const Value &V) {
  switch (V.kind()) {
  case Value::Null:
    return "null";
  case Value::Boolean:
    return *V.getAsBoolean() ? "true" : "false";
  case Value::Number:
    if (auto I = V.getAsInteger())
      return std::to_string(*I);
    return formatShortest(*V.getAsNumber());
  case Value::String: {
    std::string S = V.getAsString()->str();
    if (S.size() > 40)
      S = S.substr(0, 37) + "...";
    return "the string \"" + S + "\"";
  }
  case Value::Array:
    return "an array";
  case Value::Object:
    return "an object";
  }
  return "?";
}

const Value *ConfigReader::get(StringRef Key) const {
  const Value *V = Obj.get(Key);
  if (!V || V->kind() == Value::Null)
    return nullptr;
  return V;
}

const ConfigReader *ConfigReader::withKey(StringRef Key) const {
  if (has(Key))
    return this;
  if (Outer && Outer->has(Key))
    return Outer;
  return nullptr;
}

void ConfigReader::missing(StringRef Key) const {
  std::string Where = Path.empty() ? "" : " from '" + Path + "'";
  Diags.error(objectLoc(), "'" + Key + "' is missing" + Where + " (model_type '" +
                               ModelType + "')");
}

std::optional<int64_t> ConfigReader::asInt(const Value &V, llvm::SMLoc Loc,
                                           const std::string &What, int64_t Min,
                                           int64_t Max) const {
  std::optional<int64_t> X = V.kind() == Value::Number ? V.getAsInteger() : std::nullopt;
  if (!X) {
    Diags.error(Loc, What + " must be an integer, not " + describe(V));
    return std::nullopt;
  }
  if (*X < Min) {
    Diags.error(Loc, What + (Min == 1 ? " must be positive, not "
                                      : " must be at least " + std::to_string(Min) +
                                            ", not ") +
                         std::to_string(*X));
    return std::nullopt;
  }
  if (*X > Max) {
    Diags.error(Loc, What + " is too large: " + std::to_string(*X) +
                         " (the limit is " + std::to_string(Max) + ")");
    return std::nullopt;
  }
  return X;
}

std::optional<double> ConfigReader::asNumber(const Value &V, llvm::SMLoc Loc,
                                             const std::string &What, double Min,
                                             double Max) const {
  std::optional<double> X = V.getAsNumber();
  if (!X) {
    Diags.error(Loc, What + " must be a number, not " + describe(V));
    return std::nullopt;
  }
  if (!(*X >= Min && *X <= Max)) {
    Diags.error(Loc, What + " must be between " + formatShortest(Min) + " and " +
                         formatShortest(Max) + ", not " + formatShortest(*X));
    return std::nullopt;
  }
  return X;
}

std::optional<int64_t> ConfigReader::requireInt(StringRef Key, int64_t Min,
                                                int64_t Max) const {
  const Value *V = get(Key);
  if (!V) {
    missing(Key);
    return std::nullopt;
  }
  return asInt(*V, valueLoc(Key), quoted(Key), Min, Max);
}

std::optional<double> ConfigReader::requireNumber(StringRef Key, double Min,
                                                  double Max) const {
  const Value *V = get(Key);
  if (!V) {
    missing(Key);
    return std::nullopt;
  }
  return asNumber(*V, valueLoc(Key), quoted(Key), Min, Max);
}

std::optional<std::string> ConfigReader::requireString(StringRef Key) const {
  const Value *V = get(Key);
  if (!V) {
    missing(Key);
    return std::nullopt;
  }
  if (auto S = V->getAsString())
    return S->str();
  Diags.error(valueLoc(Key), quoted(Key) + " must be a string, not " + describe(*V));
  return std::nullopt;
}

std::optional<int64_t> ConfigReader::intOr(StringRef Key, int64_t Default,
                                           int64_t Min, int64_t Max) const {
  const Value *V = get(Key);
  if (!V)
    return Default;
  return asInt(*V, valueLoc(Key), quoted(Key), Min, Max);
}

std::optional<double> ConfigReader::numberOr(StringRef Key, double Default,
                                             double Min, double Max) const {
  const Value *V = get(Key);
  if (!V)
    return Default;
  return asNumber(*V, valueLoc(Key), quoted(Key), Min, Max);
}

std::optional<bool> ConfigReader::boolOr(StringRef Key, bool Default) const {
  const Value *V = get(Key);
  if (!V)
    return Default;
  if (auto B = V->getAsBoolean())
    return *B;
  Diags.error(valueLoc(Key), quoted(Key) + " must be true or false, not " +
                                 describe(*V));
  return std::nullopt;
}

std::optional<std::string> ConfigReader::stringOr(StringRef Key,
                                                  StringRef Default) const {
  const Value *V = get(Key);
  if (!V)
    return Default.str();
  if (auto S = V->getAsString())
    return S->str();
  Diags.error(valueLoc(Key), quoted(Key) + " must be a string, not " + describe(*V));
  return std::nullopt;
}

const llvm::json::Object *ConfigReader::object(StringRef Key) const {
  const Value *V = get(Key);
  if (!V)
    return nullptr;
  if (const auto *O = V->getAsObject())
    return O;
  Diags.error(valueLoc(Key), quoted(Key) + " must be an object, not " + describe(*V));
  return nullptr;
}

const llvm::json::Array *ConfigReader::array(StringRef Key) const {
  const Value *V = get(Key);
  if (!V)
    return nullptr;
  if (const auto *A = V->getAsArray())
    return A;
  Diags.error(valueLoc(Key), quoted(Key) + " must be an array, not " + describe(*V));
  return nullptr;
}
